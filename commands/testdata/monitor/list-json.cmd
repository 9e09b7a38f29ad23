-o json
list --all
