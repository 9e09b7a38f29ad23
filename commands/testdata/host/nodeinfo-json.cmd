-o json
nodeinfo
