-o json
domstate test
