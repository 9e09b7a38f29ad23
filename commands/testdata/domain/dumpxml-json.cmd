-o json
dumpxml test
