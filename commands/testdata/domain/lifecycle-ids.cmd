
suspend 1; resume 1; reboot 1; reset 1; shutdown 1; start 6695eb01-f6a4-8304-79aa-97f2502e193f; destroy 2
