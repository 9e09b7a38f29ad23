package qemu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// TestMain lets the test binary stand in for virtsh: the driver re-executes
// os.Executable() in the supervisor mode.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == supervisorMode {
		os.Exit(supervisorMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// openTest opens qemu:///system (qemu:///session when not root) under a
// fresh VIRTSH_ROOT.
func openTest(t testing.TB) *Conn {
	t.Helper()
	root := t.TempDir()
	t.Setenv("VIRTSH_ROOT", root)
	uri := "qemu:///session"
	if os.Geteuid() == 0 {
		uri = "qemu:///system"
	}
	c, err := backend.Open(context.Background(), uri, backend.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

// pids lists the processes whose command line contains s.
func pids(s string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), s) && e.Name() != fmt.Sprint(os.Getpid()) {
			if st, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); !strings.Contains(string(st), ") Z ") {
				out = append(out, e.Name())
			}
		}
	}
	return out
}
