-o csv
net-list --all
