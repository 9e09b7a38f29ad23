-o json
domid test
