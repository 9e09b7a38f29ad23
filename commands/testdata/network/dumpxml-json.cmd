-o json
net-dumpxml default
