package fsutil

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
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

// LockKey takes exclusive locks on keys, in order, in the lock table at
// path, waiting for other virtsh processes that hold them. One table file
// holds the locks of every object of a kind: each key is a one-byte range
// at an offset hashed from it (open file description locks, fcntl(2)), so
// that locking a thousand objects creates no file per object (creating a
// file is a journal transaction; a file system can take a millisecond for
// it). Distinct keys collide with a probability of 2^-62 a pair, and a
// collision only makes two objects wait for each other. Every call opens
// the table anew, so two holders in one process exclude each other too;
// the keys of one call share that opening. Callers that take several
// locks take them in one order (an object's, then its kind's index), so
// that two of them never wait for each other. Call the returned function
// to release the locks; the kernel releases them too if the process dies.
func LockKey(path string, keys ...string) (unlock func(), err error) {
	fd, err := openFD(path, unix.O_RDWR|unix.O_CREAT, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock table %s: %w", path, err)
	}
	for _, key := range keys {
		h := fnv.New64a()
		h.Write([]byte(key))
		lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart, Start: int64(h.Sum64() >> 2), Len: 1}
		for {
			err = unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLKW, &lk)
			if err != unix.EINTR {
				break
			}
		}
		if err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("cannot lock '%s' in %s: %w", key, path, err)
		}
	}
	return func() { unix.Close(fd) }, nil // closing the description releases its locks
}
