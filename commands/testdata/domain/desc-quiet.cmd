-q
desc test; desc test x; desc test
