-o csv
domiflist test
