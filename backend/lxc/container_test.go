package lxc

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// TestInitIsPID1 starts a container whose init records its pid and
// hostname: init is pid 1 in its own pid namespace and the hostname is
// the domain's name.
func TestInitIsPID1(t *testing.T) {
	e := newEnv(t)
	rootfs, out := busyboxRoot(t), t.TempDir()
	info := e.start(domainXML("pid1", rootfs, out, `echo $$ > /out/pid; hostname > /out/hostname; exec sleep 1000`, ""))
	if info.State != backend.DomainRunning || info.ID <= 0 {
		t.Errorf("after start: state %v id %d", info.State, info.ID)
	}
	if got := waitFile(t, filepath.Join(out, "pid")); got != "1" {
		t.Errorf("init's pid in the container is %s, want 1", got)
	}
	if got := waitFile(t, filepath.Join(out, "hostname")); got != "pid1" {
		t.Errorf("hostname %q, want pid1", got)
	}
	if err := e.doms.Destroy(context.Background(), "pid1", backend.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := e.doms.LookupByName(context.Background(), "pid1")
	if err != nil || d.State != backend.DomainShutoff || d.Reason != backend.ShutoffDestroyed {
		t.Errorf("after destroy: %+v %v", d, err)
	}
}
