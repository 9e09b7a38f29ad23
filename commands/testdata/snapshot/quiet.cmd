-q
snapshot-create-as test s1; snapshot-list test; snapshot-current test --name; snapshot-delete test s1
