
list --table --name
