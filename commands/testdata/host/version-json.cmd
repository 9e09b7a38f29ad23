-o json
version --daemon
