
net-define net2.xml; net-create net3.xml; net-autostart net2; net-list --all; net-list --transient; net-list --persistent --all; net-list --inactive; net-list --all --uuid; net-list --all --name; net-list --persistent --transient --all; net-list --autostart --no-autostart --all; net-list --all --autostart; net-list --no-autostart --all; net-list --transient --inactive
