
undefine nope; undefine --nvram test; undefine --nvram --keep-nvram test; undefine test; list --all; destroy test; list --all
