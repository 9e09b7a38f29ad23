
shutdown --mode bogus test
