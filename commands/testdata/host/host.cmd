
uri; hostname; nodeinfo; capabilities
