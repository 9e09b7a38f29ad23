// Package store keeps definitions as libvirt XML files, one NAME.xml per
// object in a directory, the way libvirt keeps /etc/libvirt/qemu: written
// atomically, locked per object across processes, with autostart marks as
// symlinks in autostart/. Every driver keeps its domains (and networks)
// in one; a second store over the runtime directory holds live state.
package store

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

// Store is one directory of definitions of one kind ("domain", "network").
type Store struct {
	kind  string
	dir   string
	locks string
	index indexCopy
}

// New opens (creating if needed, mode 0700) the store of kind in dir; the
// lock files live in lockDir, which should be on the runtime directory.
func New(kind, dir, lockDir string) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, "autostart"), lockDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, backend.OperationFailed("cannot create %s directory %s: %v", kind, d, err)
		}
	}
	return &Store{kind: kind, dir: dir, locks: lockDir}, nil
}

// Dir is the directory holding the definitions.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(name string) string { return filepath.Join(s.dir, name+".xml") }

func (s *Store) autostartPath(name string) string {
	return filepath.Join(s.dir, "autostart", name+".xml")
}

// lockTable is the file holding the locks of the store's objects.
func (s *Store) lockTable() string { return filepath.Join(s.locks, s.kind+".locks") }

// Lock takes the object's lock, so that two virtsh processes acting on the
// same object serialise. The name is validated first.
func (s *Store) Lock(name string) (unlock func(), err error) {
	return s.lock(name)
}

// lock takes the object's lock, then the other keys'.
func (s *Store) lock(name string, keys ...string) (unlock func(), err error) {
	if err := backend.ValidateName(s.kind, name); err != nil {
		return nil, err
	}
	unlock, err = fsutil.LockKey(s.lockTable(), append([]string{name}, keys...)...)
	if err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	return unlock, nil
}

// Read returns the XML of name; ok is false when there is none.
func (s *Store) Read(name string) (xml string, ok bool, err error) {
	if err := backend.ValidateName(s.kind, name); err != nil {
		return "", false, err
	}
	b, err := fsutil.ReadFile(s.path(name))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", false, nil
	case err != nil:
		return "", false, backend.OperationFailed("cannot read %s '%s': %v", s.kind, name, err)
	}
	return string(b), true, nil
}

// Write stores the XML of name atomically (mode 0600: definitions can hold
// passwords).
func (s *Store) Write(name, xml string) error {
	if err := backend.ValidateName(s.kind, name); err != nil {
		return err
	}
	if !strings.HasSuffix(xml, "\n") {
		xml += "\n"
	}
	if err := fsutil.WriteAtomic(s.path(name), []byte(xml), 0o600); err != nil {
		return backend.OperationFailed("cannot save %s '%s': %v", s.kind, name, err)
	}
	return nil
}

// Remove deletes the definition of name and its autostart mark.
func (s *Store) Remove(name string) error {
	if err := backend.ValidateName(s.kind, name); err != nil {
		return err
	}
	for _, p := range []string{s.autostartPath(name), s.path(name)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return backend.OperationFailed("cannot delete %s '%s': %v", s.kind, name, err)
		}
	}
	return nil
}

// Names lists the stored objects, sorted.
func (s *Store) Names() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, backend.OperationFailed("cannot list %s directory %s: %v", s.kind, s.dir, err)
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".xml"); ok && e.Type().IsRegular() && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Autostart reports whether name is marked for autostart.
func (s *Store) Autostart(name string) bool {
	_, err := os.Lstat(s.autostartPath(name))
	return err == nil
}

// AutostartSet returns the names marked for autostart, read at once (a
// listing of thousands of objects asks this instead of Autostart each).
func (s *Store) AutostartSet() (map[string]bool, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "autostart"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, backend.OperationFailed("cannot list autostart %ss: %v", s.kind, err)
	}
	set := make(map[string]bool, len(entries))
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".xml"); ok {
			set[n] = true
		}
	}
	return set, nil
}

// SetAutostart marks or unmarks name for autostart (a symlink to its
// definition, as libvirt does).
func (s *Store) SetAutostart(name string, on bool) error {
	if err := backend.ValidateName(s.kind, name); err != nil {
		return err
	}
	link := s.autostartPath(name)
	var err error
	if on {
		err = os.Symlink(s.path(name), link)
		if errors.Is(err, os.ErrExist) {
			err = nil
		}
	} else if err = os.Remove(link); errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if err != nil {
		return backend.OperationFailed("cannot change autostart of %s '%s': %v", s.kind, name, err)
	}
	return nil
}

// Rename moves the definition (and its autostart mark) of old to new,
// refusing to overwrite an existing new.
func (s *Store) Rename(old, new string) error {
	for _, n := range []string{old, new} {
		if err := backend.ValidateName(s.kind, n); err != nil {
			return err
		}
	}
	if _, err := os.Stat(s.path(new)); err == nil {
		return backend.InvalidArgument("%s '%s' already exists", s.kind, new)
	}
	unlockIndex, err := s.lockIndex()
	if err != nil {
		return err
	}
	defer unlockIndex()
	if uuid := s.DefinedUUID(old); uuid != "" {
		if err := s.record(uuid, new); err != nil { // first: if the rename fails, old's entry still holds
			return err
		}
	}
	if err := os.Rename(s.path(old), s.path(new)); err != nil {
		return backend.OperationFailed("cannot rename %s '%s': %v", s.kind, old, err)
	}
	if s.Autostart(old) {
		os.Remove(s.autostartPath(old))
		return s.SetAutostart(new, true)
	}
	return nil
}
