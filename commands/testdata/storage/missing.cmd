
pool-info nope; vol-list nope
