-c node.xml
vol-list images; vol-list images --details; vol-list vg0; vol-info disk1.img --pool images; vol-info /var/lib/images/disk1.img; vol-info --bytes /var/lib/images/Alpha.qcow2; vol-dumpxml disk1.img --pool images; vol-dumpxml /var/lib/images/Alpha.qcow2; vol-info disk1.img images; vol-dumpxml disk1.img images
