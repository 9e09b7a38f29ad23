-o yaml
uri; hostname
