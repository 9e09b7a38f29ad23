-c node.xml
pool-list --type 'dir, fs' --all
