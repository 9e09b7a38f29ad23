// Package fsutil holds the file primitives state files need: atomic
// writes (definitions, history, aliases) so that a crash or a full disk
// never leaves half a file, per-object locks, and the drivers' directories.
package fsutil

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// Durability: by default every WriteAtomic syncs its file before the
// rename. A command-line process that may write many files (a batch of a
// thousand defines) calls DeferSync instead: its writes are still atomic
// for every reader, and Sync makes them durable with one syncfs per file
// system before the process reports its exit status.
var (
	deferMu   sync.Mutex
	deferring bool
	dirty     = map[string]bool{} // directories written since the last Sync
)

// DeferSync switches this process to deferred durability (see above).
func DeferSync() {
	deferMu.Lock()
	deferring = true
	deferMu.Unlock()
}

// Sync makes every write since the last Sync durable: one syncfs(2) per
// directory written (file systems shared by several directories are
// synced once each time; syncfs is cheap when nothing is dirty).
func Sync() error {
	deferMu.Lock()
	dirs := dirty
	dirty = map[string]bool{}
	deferMu.Unlock()
	var first error
	for dir := range dirs {
		if err := syncFS(dir); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

// deferOrSync syncs the file open as fd now, or marks dir for the next
// Sync in a process that called DeferSync.
func deferOrSync(fd int, dir string) error {
	deferMu.Lock()
	deferred := deferring
	if deferred {
		dirty[dir] = true
	}
	deferMu.Unlock()
	if deferred {
		return nil
	}
	return unix.Fsync(fd)
}

// The files written here are opened as bare descriptors, not *os.File:
// os.OpenFile offers every regular file to Go's network poller, which
// refuses it after five system calls (fcntl and epoll_ctl), and a define
// opens several files.

// openFD opens path (with O_CLOEXEC), retrying when a signal interrupts.
func openFD(path string, flags int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(path, flags|unix.O_CLOEXEC, perm)
		switch err {
		case nil:
			return fd, nil
		case unix.EINTR:
			continue
		}
		return -1, &os.PathError{Op: "open", Path: path, Err: err}
	}
}

// writeFD writes all of data to fd.
func writeFD(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// ReadFile reads the whole file at path, as os.ReadFile does, through a
// bare descriptor.
func ReadFile(path string) ([]byte, error) {
	fd, err := openFD(path, unix.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	buf := make([]byte, 0, st.Size+1) // one more: the read that finds the end
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		case n == 0:
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// Append adds data at the end of the file at path (created with mode perm
// if needed) in one write, which concurrent appenders never interleave
// with; it is synced like WriteAtomic's files. It returns where the data
// ends: the file's size, unless another process appended meanwhile.
func Append(path string, data []byte, perm os.FileMode) (end int64, err error) {
	fd, err := openFD(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT, uint32(perm))
	if err != nil {
		return 0, err
	}
	err = writeFD(fd, data)
	if err == nil {
		end, err = unix.Seek(fd, 0, io.SeekCurrent)
	}
	if err == nil {
		err = deferOrSync(fd, filepath.Dir(path))
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, &os.PathError{Op: "write", Path: path, Err: err}
	}
	return end, nil
}

// WriteAtomic writes data to a temporary file beside path, gives it mode
// perm and renames it over path: readers see the old file or the new one,
// never a mix. The data is synced before the rename, or, in a process
// that called DeferSync, at its next Sync.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, true)
}

// WriteVolatile writes like WriteAtomic but never syncs: for runtime state
// (which describes processes that a power loss ends anyway, and lives on
// tmpfs on most hosts) and caches (hints rebuilt when lost). A sync costs
// milliseconds on a disk, a few of them on every domain start.
func WriteVolatile(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, false)
}

func writeAtomic(path string, data []byte, perm os.FileMode, durable bool) error {
	fd, tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	err = writeFD(fd, data)
	if err == nil {
		err = unix.Fchmod(fd, uint32(perm))
	}
	if err == nil && durable {
		err = deferOrSync(fd, filepath.Dir(path))
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		unix.Unlink(tmp)
		return &os.PathError{Op: "write", Path: tmp, Err: err}
	}
	if err = unix.Rename(tmp, path); err != nil { // rename(2) itself: os.Rename stats path first
		unix.Unlink(tmp)
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err}
	}
	return nil
}

// createTemp creates a new file beside path, named after it, for
// writeAtomic to rename over it.
func createTemp(path string) (fd int, name string, err error) {
	prefix := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	for try := 0; ; try++ {
		name = prefix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		fd, err = openFD(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
		if !errors.Is(err, os.ErrExist) || try == 100 {
			return fd, name, err
		}
	}
}
