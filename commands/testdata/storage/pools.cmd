-c node.xml
pool-list --all; pool-list --all --details; pool-info vg0; pool-info images; pool-list --all --name; pool-list --name --uuid; pool-list --inactive --details; pool-list --type dir,logical --all
