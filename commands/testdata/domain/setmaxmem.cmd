
setmaxmem test 1G; setmaxmem test 16G --config; dominfo test; destroy test; setmaxmem test 4G; dominfo test; setmaxmem test x; setmaxmem test 0; setmaxmem test 1024 --current --config
