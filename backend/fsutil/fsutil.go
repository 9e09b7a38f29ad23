// Package fsutil holds the file primitives state files need: atomic
// writes (definitions, history, aliases) so that a crash or a full disk
// never leaves half a file.
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteAtomic writes data to a temporary file beside path, syncs it, gives
// it mode perm and renames it over path: readers see the old file or the
// new one, never a mix.
func WriteAtomic(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
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
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
