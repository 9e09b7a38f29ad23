
define foo.xml; list --all; start foo; undefine foo; list --all; destroy foo; list --all
