
list x
