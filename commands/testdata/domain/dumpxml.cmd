
dumpxml test; dumpxml --inactive test; dumpxml nope
