
net-list --table --name
