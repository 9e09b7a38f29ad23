
domrename test foo; destroy test; domrename 1 foo; domrename test foo; list --all; domrename foo foo; domrename foo bad/name
