-r
hostname; nodeinfo
