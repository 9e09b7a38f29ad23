
dommemstat test; destroy test; dommemstat test; dommemstat --live --current test
