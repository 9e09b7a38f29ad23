
domid test; domuuid test; domname 1; domname 6695eb01-f6a4-8304-79aa-97f2502e193f; domid 6695eb01-f6a4-8304-79aa-97f2502e193f; destroy test; domid test; domid 1; domname test; domuuid nope
