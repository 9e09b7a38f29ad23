-o json
domblklist test
