// Package fsutil holds the file primitives state files need: atomic
// writes (definitions, history, aliases) so that a crash or a full disk
// never leaves half a file, per-object locks, and the drivers' directories.
package fsutil

import (
	"os"
	"path/filepath"
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

// deferOrSync syncs f now, or marks dir for the next Sync in a process
// that called DeferSync.
func deferOrSync(f *os.File, dir string) error {
	deferMu.Lock()
	deferred := deferring
	if deferred {
		dirty[dir] = true
	}
	deferMu.Unlock()
	if deferred {
		return nil
	}
	return f.Sync()
}

// Append adds data at the end of the file at path (created with mode perm
// if needed) in one write, which concurrent appenders never interleave
// with; it is synced like WriteAtomic's files.
func Append(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = deferOrSync(f, filepath.Dir(path))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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

func writeAtomic(path string, data []byte, perm os.FileMode, durable bool) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if durable {
		if err = deferOrSync(f, dir); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
