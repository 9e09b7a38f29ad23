
net-info default extra
