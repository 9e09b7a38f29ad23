
vol-info
