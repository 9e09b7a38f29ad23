package lxc

import (
	"time"

	"golang.org/x/sys/unix"
)

// pidfdOpen opens a pidfd, which becomes readable when the process exits,
// so waiting for a process that is not our child needs no polling.
func pidfdOpen(pid int) (int, error) { return unix.PidfdOpen(pid, 0) }

// pollPidfd waits up to timeout for the process behind fd to exit.
func pollPidfd(fd int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}

// sleepBriefly paces the bounded loops that wait for the kernel.
func sleepBriefly() { time.Sleep(2 * time.Millisecond) }

// helperEnv is added to the environment of virtsh's own helper processes
// (controller, container setup, enter). They do one thing at a time, and
// every extra P of the Go runtime costs page faults and a thread at
// start, which is on the path of every container start.
const helperEnv = "GOMAXPROCS=1"
