-o csv -c node.xml
pool-list --all --details
