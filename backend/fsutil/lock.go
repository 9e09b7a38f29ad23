package fsutil

import (
	"fmt"
	"os"
	"syscall"
)

// Lock takes an exclusive lock on the object whose lock file is path
// (created if needed), waiting for other virtsh processes that hold it.
// Two invocations acting on the same domain or network thereby serialise;
// different objects never wait for each other. Call the returned function
// to release the lock; the kernel releases it too if the process dies.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock file %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
