-c node.xml
vol-info nope; vol-info nope --pool images; vol-info disk1.img --pool nope; vol-info /var/lib/images/disk1.img --pool vg0
