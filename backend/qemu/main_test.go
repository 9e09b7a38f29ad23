package qemu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/tests/guest"

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

// testGuest builds (or takes from tests/.cache) the tiny TCG guest.
func testGuest(t testing.TB) (kernel, initrd string) {
	t.Helper()
	kernel, initrd, err := guest.Build()
	if err != nil {
		t.Fatal(err)
	}
	return kernel, initrd
}

// guestXML is a domain booting the test guest with its serial console in
// serialLog (a file, so the test reads everything the guest printed).
func guestXML(name, kernel, initrd, extra, devices string) string {
	return fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <features><acpi/></features>
  %s
  <devices>
    <serial type='pty'/>
    <console type='pty'/>
    <memballoon model='virtio'/>
    %s
  </devices>
</domain>`, name, kernel, initrd, extra, devices)
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
