
pool-list --type dir; pool-list --type logical; pool-list dir
