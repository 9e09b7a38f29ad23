
shutdown test; start test; start --paused test; domstate --reason test; suspend test; suspend test; resume test; resume test; reset test; reboot test; reboot --mode agent,acpi test; destroy test; suspend test; reboot test; reset test; shutdown test; destroy test; resume test; start 1
