
uri extra
