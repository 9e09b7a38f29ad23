-r
snapshot-create-as test s1; snapshot-list test; snapshot-revert test s1
