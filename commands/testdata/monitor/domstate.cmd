
domstate test; domstate --reason test; suspend test; domstate --reason test; destroy test; domstate --reason test; domstate 1; start test; domstate --reason test; domstate nope
