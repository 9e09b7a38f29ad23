
net-destroy dd8fe884-6c02-601e-7551-cca97df1c5df; net-start dd8fe884-6c02-601e-7551-cca97df1c5df; net-autostart dd8fe884-6c02-601e-7551-cca97df1c5df; net-destroy dd8fe884-6c02-601e-7551-cca97df1c5df; net-undefine dd8fe884-6c02-601e-7551-cca97df1c5df
