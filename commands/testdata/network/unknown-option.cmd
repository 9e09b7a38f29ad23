
net-destroy default --foo
