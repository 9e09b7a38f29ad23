-r
start test; destroy test; suspend test; resume test; create foo.xml; undefine test; autostart test; setmem test 1G; desc test x; domrename test y; shutdown test; reboot test; reset test
