-o json
dommemstat test
