package qemu

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// list's cache: whole while the definitions' directory keeps its time, so
// every define, undefine and redefine is seen at once, also right after
// the cache trusted the directory.
func TestListCacheFollowsDefinitions(t *testing.T) {
	c := openTest(t)
	names := func() map[string]uint64 {
		t.Helper()
		l, err := c.Domains().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]uint64{}
		for _, d := range l {
			m[d.Name] = d.MaxMemKiB
		}
		return m
	}
	define := func(name string, mib int) {
		t.Helper()
		doc := fmt.Sprintf("<domain type='qemu'><name>%s</name><uuid>00000000-0000-4000-8000-0000000000%02x</uuid><memory unit='MiB'>%d</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>", name, name[0], mib)
		if _, err := c.Domains().Define(ctx, doc, backend.DefineOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	define("a", 64)
	define("b", 64)
	if got := names(); len(got) != 2 {
		t.Fatalf("list = %v, want a and b", got)
	}
	time.Sleep(2 * dirTimeSettled)
	names() // records the settled directory time
	lc := c.loadListCache()
	if fi, _ := os.Stat(c.defs.Dir()); lc.dirModNS != fi.ModTime().UnixNano() {
		t.Fatalf("the cache did not record the settled directory time")
	}
	define("c", 64)  // a new definition
	define("a", 128) // a redefinition
	if err := c.Domains().Undefine(ctx, "b", backend.UndefineOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 2 || got["a"] != 128*1024 || got["c"] == 0 {
		t.Errorf("list after define, redefine and undefine = %v, want a (128 MiB) and c", got)
	}
	// Trusted again once settled: the directory is not read; a file the
	// cache does not know would not be seen (definitions are only written
	// through define, which renames into the directory).
	time.Sleep(2 * dirTimeSettled)
	names()
	if got := names(); len(got) != 2 || got["a"] != 128*1024 {
		t.Errorf("list from the trusted cache = %v", got)
	}
	if _, err := os.Stat(filepath.Join(c.dirs.Lib, "list.cache")); err != nil {
		t.Error(err)
	}
}

func TestListCacheFileRoundTrip(t *testing.T) {
	c := openTest(t)
	lc := c.loadListCache()
	lc.dirModNS = 42
	lc.entries["web"] = listEntry{ModNS: 1, Size: 2, UUID: "u", VCPUs: 3, MaxKiB: 4, KiB: 5, Title: "a\ttab, a \"quote\"\nand a newline"}
	lc.dirty = true
	lc.save()
	got := c.loadListCache()
	if got.dirModNS != 42 || got.entries["web"] != lc.entries["web"] || len(got.entries) != 1 {
		t.Errorf("read back %+v, want %+v", got, lc)
	}
	os.WriteFile(lc.path, []byte(listCacheMagic+"42\nweb\t1\n"), 0o600) // damaged
	if got := c.loadListCache(); got.dirModNS != 0 || len(got.entries) != 0 {
		t.Errorf("a damaged cache is trusted: %+v", got)
	}
}
