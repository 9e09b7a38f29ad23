-o yaml -c node.xml
pool-info images
