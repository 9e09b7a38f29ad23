-c ../storage/node.xml
nodeinfo
