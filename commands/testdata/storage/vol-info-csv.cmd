-o csv -c node.xml
vol-info disk1.img --pool images
