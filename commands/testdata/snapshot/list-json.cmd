-o json
snapshot-create-as test s1 desc; snapshot-create-as test s2; snapshot-list test
