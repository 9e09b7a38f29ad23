
pool-list; pool-list --all --details; pool-list --name; pool-list --uuid; pool-info default-pool; pool-info --bytes default-pool; pool-dumpxml default-pool; vol-list default-pool; vol-list default-pool --details
