
destroy test; setmem test 1024 --live; setmem test 1G; setmem test 1G --config; dominfo test
