-r
net-destroy default; net-autostart default; net-autostart --disable default; net-define net2.xml; net-create net2.xml; net-undefine default; net-start default; net-list
