
net-info default; net-info dd8fe884-6c02-601e-7551-cca97df1c5df; net-info nope
