
net-destroy default; net-destroy default; net-start default; net-start default; net-autostart default; net-autostart --disable default; net-undefine nope; net-undefine default
