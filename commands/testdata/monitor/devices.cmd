
domblklist test; domblklist --details test; domblklist --inactive test; domiflist test; domiflist --inactive test; domblklist nope
