
desc test; desc --title test; desc test hello world; desc test; desc --title test 'My title'; desc --title test; list --title; desc --config test; desc --live test; desc --config test cfg; desc --config test; desc test; desc --current --live test; desc test --new-desc x --title; desc --title test ''; desc --title test; desc nope
