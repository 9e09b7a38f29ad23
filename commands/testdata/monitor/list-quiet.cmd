-q
list --all; list --title
