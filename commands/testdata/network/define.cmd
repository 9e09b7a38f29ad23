
net-define net2.xml; net-info net2; net-dumpxml net3; net-create net3.xml; net-info net3; net-dumpxml net3; net-undefine net3; net-destroy net3; net-define nofile.xml; net-define --validate net2.xml; net-undefine net2; net-list --all
