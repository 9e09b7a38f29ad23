package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	root := t.TempDir()
	s, err := New("domain", filepath.Join(root, "etc"), filepath.Join(root, "run"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreLifecycle(t *testing.T) {
	s := newStore(t)
	if _, ok, err := s.Read("web"); ok || err != nil {
		t.Fatalf("Read of a missing definition: ok=%v err=%v", ok, err)
	}
	if err := s.Write("web", "<domain/>"); err != nil {
		t.Fatal(err)
	}
	if xml, ok, _ := s.Read("web"); !ok || xml != "<domain/>\n" {
		t.Errorf("Read = %q, %v", xml, ok)
	}
	if st, _ := os.Stat(filepath.Join(s.Dir(), "web.xml")); st.Mode().Perm() != 0o600 {
		t.Errorf("definition mode %v, want 0600", st.Mode().Perm())
	}
	if err := s.SetAutostart("web", true); err != nil || !s.Autostart("web") {
		t.Fatalf("SetAutostart: %v", err)
	}
	if err := s.Rename("web", "www"); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.Names(); len(names) != 1 || names[0] != "www" || !s.Autostart("www") || s.Autostart("web") {
		t.Errorf("after rename: names %v, autostart www=%v web=%v", names, s.Autostart("www"), s.Autostart("web"))
	}
	if err := s.Remove("www"); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.Names(); len(names) != 0 || s.Autostart("www") {
		t.Errorf("after remove: %v", names)
	}
}

func TestStoreRejectsTraversal(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"../x", "a/b", "..", ""} {
		if err := s.Write(name, "<domain/>"); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("Write(%q) = %v, want invalid argument", name, err)
		}
		if _, err := s.Lock(name); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("Lock(%q) = %v", name, err)
		}
	}
}

// TestStoreConcurrentWriters: writers holding the object lock never see
// each other's half-written files.
func TestStoreConcurrentWriters(t *testing.T) {
	s := newStore(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			unlock, err := s.Lock("web")
			if err != nil {
				t.Error(err)
				return
			}
			defer unlock()
			want := string(rune('a'+i)) + "\n"
			if err := s.Write("web", want[:1]); err != nil {
				t.Error(err)
			}
			if got, _, _ := s.Read("web"); got != want {
				t.Errorf("read %q right after writing %q under the lock", got, want)
			}
		}(i)
	}
	wg.Wait()
}

func TestClaimUUID(t *testing.T) {
	s := newStore(t)
	const u1, u2 = "11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"
	define := func(name, uuid string, running ...Identity) (string, error) {
		got, err := s.ClaimUUID(name, uuid, running)
		if err == nil {
			err = s.Write(name, "<domain><name>"+name+"</name><uuid>"+got+"</uuid></domain>")
		}
		return got, err
	}
	if got, err := define("web", u1); err != nil || got != u1 {
		t.Fatalf("first define: %q, %v", got, err)
	}
	if _, err := define("web", ""); err == nil {
		t.Error("redefining a name without its UUID was accepted (libvirt refuses it)")
	}
	if got, err := define("web", u1); err != nil || got != u1 {
		t.Errorf("redefine with the same UUID: %q, %v", got, err)
	}
	if _, err := define("web", u2); err == nil || err.Error() != "operation failed: domain 'web' already exists with uuid "+u1 {
		t.Errorf("a new UUID for an existing name: %v", err)
	}
	if _, err := define("db", u1); err == nil || err.Error() != "operation failed: domain 'web' is already defined with uuid "+u1 {
		t.Errorf("another name with a taken UUID: %v", err)
	}
	if _, err := define("db", u2, Identity{Name: "tmp", UUID: u2}); err == nil {
		t.Error("a UUID held by a running transient domain was accepted")
	}
	if got, err := define("db", ""); err != nil || got == "" || got == u1 {
		t.Errorf("a new name without a UUID gets a new one: %q, %v", got, err)
	}
	if name, ok := s.NameOfUUID(strings.ToUpper(u1)); !ok || name != "web" {
		t.Errorf("NameOfUUID = %q, %v", name, ok)
	}
	if err := s.Rename("web", "www"); err != nil {
		t.Fatal(err)
	}
	if name, ok := s.NameOfUUID(u1); !ok || name != "www" {
		t.Errorf("after rename NameOfUUID = %q, %v", name, ok)
	}
	if err := s.Remove("www"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.NameOfUUID(u1); ok {
		t.Error("a removed definition still holds its UUID")
	}
	if got, err := define("other", u1); err != nil || got != u1 {
		t.Errorf("a freed UUID is free: %q, %v", got, err)
	}
}

// The index is an append-only hint: a stale latest entry (a rename that
// failed after its entry was written) falls back to the entry the
// definitions confirm, and compaction keeps only confirmed entries.
func TestUUIDIndexStaleEntriesAndCompaction(t *testing.T) {
	s := newStore(t)
	const u1 = "11111111-2222-3333-4444-555555555555"
	if err := s.Write("web", "<domain><name>web</name><uuid>"+u1+"</uuid></domain>"); err != nil {
		t.Fatal(err)
	}
	if err := s.record(u1, "web"); err != nil {
		t.Fatal(err)
	}
	if err := s.record(u1, "gone"); err != nil { // as a rename to "gone" that failed
		t.Fatal(err)
	}
	if name, ok := s.NameOfUUID(u1); !ok || name != "web" {
		t.Errorf("NameOfUUID = %q, %v; want the confirmed entry web", name, ok)
	}
	for i := 0; i < 50; i++ {
		if err := s.record(NewUUIDForTest(i), "nobody"); err != nil {
			t.Fatal(err)
		}
	}
	s.compactIndex()
	b, err := os.ReadFile(s.indexPath())
	if err != nil || string(b) != normUUID(u1)+" web\n" {
		t.Errorf("compacted index = %q, %v; want only web's entry", b, err)
	}
}

// An index grown past indexCompactAt is compacted by the record that
// crosses it.
func TestUUIDIndexCompactsWhenGrown(t *testing.T) {
	s := newStore(t)
	stale := strings.Repeat(normUUID(NewUUIDForTest(1))+" nobody\n", indexCompactAt/38+1)
	if err := os.WriteFile(s.indexPath(), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	const u1 = "11111111-2222-3333-4444-555555555555"
	if err := s.Write("web", "<domain><name>web</name><uuid>"+u1+"</uuid></domain>"); err != nil {
		t.Fatal(err)
	}
	if err := s.record(u1, "web"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(s.indexPath()); err != nil || string(b) != normUUID(u1)+" web\n" {
		t.Errorf("index of %d bytes after the record that crossed %d, %v; want only web's entry", len(b), indexCompactAt, err)
	}
}

// NewUUIDForTest is a distinct well-formed UUID for each i.
func NewUUIDForTest(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// Two processes defining two names with one UUID at once: exactly one
// succeeds (the claim and the write are one step under the index's lock).
func TestDefineDomainSameUUIDConcurrently(t *testing.T) {
	s := newStore(t)
	const u1 = "11111111-2222-3333-4444-555555555555"
	none := func() ([]Identity, error) { return nil, nil }
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			def, err := NewDefinition(&libvirtxml.Domain{Type: "qemu", Name: fmt.Sprintf("d%d", i), UUID: u1})
			if err != nil {
				t.Error(err)
				return
			}
			errs[i] = s.DefineDomain(def, none)
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d defines with one UUID succeeded, want 1: %v", ok, len(errs), errs)
	}
}
