-q
domblklist --details test; domiflist test
