
net-uuid default; net-name dd8fe884-6c02-601e-7551-cca97df1c5df; net-name default; net-uuid dd8fe884-6c02-601e-7551-cca97df1c5df; net-name 11111111-2222-3333-4444-555555555555
