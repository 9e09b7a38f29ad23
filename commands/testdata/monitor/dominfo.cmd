
destroy test; dominfo test; dominfo nope
