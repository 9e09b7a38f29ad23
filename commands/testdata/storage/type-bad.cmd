
pool-list --type foo
