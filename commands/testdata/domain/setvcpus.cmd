
setvcpus test 1; setvcpus test 3; setvcpus test 1 --config; setvcpus test 4 --maximum; setvcpus test 4 --maximum --config; setvcpus test 1 --guest; setvcpus test 0; setvcpus test x; dominfo test; setvcpus test 1 --current --live; destroy test; setvcpus test 1 --live; setvcpus test 1; setvcpus --guest --config test 1
