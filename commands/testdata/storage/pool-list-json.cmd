-o json -c node.xml
pool-list --all
