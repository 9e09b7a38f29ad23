package fsutil

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.xml")
	if err := WriteAtomic(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "two" {
		t.Fatalf("read %q, %v", b, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := WriteAtomic(filepath.Join(dir, "missing", "x"), nil, 0o600); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

// TestWriteAtomicFails: a write that cannot replace its target (here a
// non-empty directory) errors, leaves the target as it was and no
// temporary file.
func TestWriteAtomicFails(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "web.xml")
	if err := os.MkdirAll(filepath.Join(target, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteAtomic(target, []byte("x"), 0o600)
	if err == nil || !strings.Contains(err.Error(), target) {
		t.Errorf("error %v, want one naming %s", err, target)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(target, "inside")); err != nil {
		t.Errorf("target changed: %v", err)
	}
}

// TestWriteAtomicMode: the file gets the mode asked for, whatever the umask.
func TestWriteAtomicMode(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "aliases")
	if err := WriteAtomic(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

func TestDirsUnderRoot(t *testing.T) {
	root := t.TempDir()
	t.Setenv(RootEnv, root)
	d := DirsFor("qemu", true)
	if d.Config != filepath.Join(root, "system/etc/virtsh/qemu") || d.Run != filepath.Join(root, "system/run/virtsh/qemu") {
		t.Errorf("system dirs not under VIRTSH_ROOT: %+v", d)
	}
	if s := DirsFor("qemu", false); s.Config == d.Config {
		t.Errorf("session and system share %s", s.Config)
	}
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(d.Run); err != nil || st.Mode().Perm() != 0o711 {
		t.Errorf("run dir: %v %v", st, err)
	}
}

// checkExclusive takes a lock with lock, then checks that a second holder
// waits for it and gets it once it is released.
func checkExclusive(t *testing.T, lock func() (func(), error)) {
	t.Helper()
	unlock, err := lock()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		u, err := lock() // a second holder: its own open file
		if err != nil {
			t.Error(err)
		} else {
			u()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second holder did not wait for the first")
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("a second holder still waits after unlock")
	}
}

func TestLockSerialises(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.lock")
	checkExclusive(t, func() (func(), error) { return Lock(path) })
}

func TestDeferredSync(t *testing.T) {
	dir := t.TempDir()
	DeferSync()
	t.Cleanup(func() { deferMu.Lock(); deferring = false; deferMu.Unlock() })
	if err := WriteAtomic(filepath.Join(dir, "a"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !dirty[dir] {
		t.Fatal("a deferred write did not record its directory")
	}
	if err := Sync(); err != nil {
		t.Fatal(err)
	}
	if len(dirty) != 0 {
		t.Errorf("Sync left %v dirty", dirty)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "x" {
		t.Errorf("read %q", b)
	}
}

func TestLockKey(t *testing.T) {
	table := filepath.Join(t.TempDir(), "domain.locks")
	checkExclusive(t, func() (func(), error) { return LockKey(table, "web") })
	// While web is held, another key of the same table is free at once.
	web, err := LockKey(table, "web")
	if err != nil {
		t.Fatal(err)
	}
	defer web()
	db, err := LockKey(table, "db")
	if err != nil {
		t.Fatal(err)
	}
	db()
	if entries, _ := os.ReadDir(filepath.Dir(table)); len(entries) != 1 {
		t.Errorf("files besides the table: %v", entries)
	}
}

func TestWriteVolatile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "web.status")
	for _, content := range []string{"one", "two"} {
		if err := WriteVolatile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != content {
			t.Fatalf("read %q, %v; want %q", b, err, content)
		}
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestAppend: appends add to the end and report where the file ends.
func TestAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index")
	for i, want := range []int64{4, 8} {
		end, err := Append(path, []byte("abc\n"), 0o600)
		if err != nil || end != want {
			t.Fatalf("append %d: end %d, %v; want %d", i, end, err, want)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "abc\nabc\n" {
		t.Errorf("file %q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
}
