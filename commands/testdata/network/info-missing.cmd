
net-info
