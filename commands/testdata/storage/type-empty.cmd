-c node.xml
pool-list --type ''
