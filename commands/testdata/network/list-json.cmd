-o json
net-define net2.xml; net-list --all
