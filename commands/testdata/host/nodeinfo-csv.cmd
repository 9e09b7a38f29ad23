-o csv
nodeinfo
