-o yaml
snapshot-create-as test s1; snapshot-info test --current; snapshot-current test --name
