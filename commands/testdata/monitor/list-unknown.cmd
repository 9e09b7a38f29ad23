
list --foo
