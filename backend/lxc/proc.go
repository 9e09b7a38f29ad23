package lxc

import (
	"errors"
	"os"
	"runtime"
	"syscall"
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

// startProcess starts path with argv, env, the files as its fds 0, 1,
// 2, 3... and sys, as os.StartProcess does but without the probe of pidfd
// support os.StartProcess makes, with a clone of its own, the first time
// a process starts another (about 1 ms here): virtsh start, the
// controller and the enter helper each start one process, on the path
// the user waits on.
func startProcess(path string, argv, env []string, files []*os.File, sys *syscall.SysProcAttr) (int, error) {
	fds := make([]uintptr, len(files))
	for i, f := range files {
		fds[i] = f.Fd() // in blocking mode, as os/exec passes them
	}
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Env: env, Files: fds, Sys: sys})
	runtime.KeepAlive(files) // no finalizer may close them before the fork
	return pid, err
}

// waitChild waits for the child pid to end and returns its status.
func waitChild(pid int) (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, syscall.EINTR) {
			return ws, err
		}
	}
}

// exitStatus is a command's exit status as a shell gives it: 128+N when
// a signal N killed it.
func exitStatus(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
