
autostart test; dominfo test; list --autostart; autostart --disable test; autostart nope
