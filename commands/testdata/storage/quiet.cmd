-q -c node.xml
pool-list --all; vol-list images --details
