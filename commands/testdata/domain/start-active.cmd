
start test
