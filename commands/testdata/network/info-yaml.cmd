-o yaml
net-info default
