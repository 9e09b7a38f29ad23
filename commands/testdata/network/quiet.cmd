-q
net-list; net-destroy default; net-list --all --name; net-define net2.xml
