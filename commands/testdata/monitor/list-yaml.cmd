-o yaml
list --all --name
