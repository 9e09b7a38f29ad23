package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// AllowDevice and DenyDevice write v1 rules (checked first) to the
// group's devices directory; a v2 group's filter cannot change.
func TestDeviceRuleFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"devices.allow", "devices.deny"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o600)
	}
	g := &Group{Dirs: map[string]string{"devices": dir}}
	if err := g.AllowDevice("b 7:0 rw"); err != nil {
		t.Fatal(err)
	}
	if err := g.DenyDevice("b 7:0 rwm"); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{"devices.allow": "b 7:0 rw", "devices.deny": "b 7:0 rwm"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != want {
			t.Errorf("%s: %q, want %q", f, b, want)
		}
	}
	if err := g.AllowDevice("b 7 rw"); err == nil {
		t.Error("a malformed rule was written")
	}
	v2 := &Group{V2: true, Dirs: map[string]string{"": dir}}
	if err := v2.AllowDevice("b 7:0 rw"); !errors.Is(err, errFixedFilter) {
		t.Errorf("v2: %v", err)
	}
}
