-o json -c node.xml
vol-list images
