package lxc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv/links"
	"github.com/vishvananda/netns"
)

// TestMain lets the test binary play the controller and the container's
// first process: the driver re-executes os.Executable(), which in tests
// is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		if helper, ok := backend.Helper(os.Args[1]); ok {
			os.Exit(helper(os.Args[2:]))
		}
	}
	os.Exit(m.Run())
}

// needRoot fails (never skips) a test of real containers run without root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("containers need root: run the tests as root (CI does)")
	}
}

// busyboxRoot makes a root filesystem from Debian's busybox-static in a
// temporary directory: /bin/busybox and a symlink per applet.
func busyboxRoot(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal("busybox not found: install busybox-static (.ci/run does)")
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "out"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(bb, "--list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet != "busybox" {
			os.Symlink("busybox", filepath.Join(root, "bin", applet))
		}
	}
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644)
	return root
}

// env is one test's private driver state (VIRTSH_ROOT) and connection.
type env struct {
	t    *testing.T
	conn backend.Conn
	doms backend.DomainService
	root string // VIRTSH_ROOT
	// ns, when set, is the network namespace the driver works in: start
	// and destroy run there, so the controller and its links live there.
	ns netns.NsHandle
}

// inNS runs fn on this goroutine's thread switched into e.ns (when set),
// so that processes started by fn inherit it.
func (e *env) inNS(fn func()) {
	if !e.ns.IsOpen() {
		fn()
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		e.t.Fatal(err)
	}
	defer orig.Close()
	if err := netns.Set(e.ns); err != nil {
		e.t.Fatal(err)
	}
	defer netns.Set(orig)
	fn()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	needRoot(t)
	root := t.TempDir()
	t.Setenv(fsutil.RootEnv, root)
	c, err := backend.Open(context.Background(), "lxc:///system", backend.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, conn: c, doms: c.Domains(), root: root, ns: netns.None()}
}

// domainXML is a container on rootfs running sh -c script as init, with
// the host directory out mounted on /out.
func domainXML(name, rootfs, out, script, extra string) string {
	return fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type>exe</type>
    <init>/bin/sh</init>
    <initarg>-c</initarg>
    <initarg>%s</initarg>
  </os>
  <devices>
    <filesystem type='mount'>
      <source dir='%s'/>
      <target dir='/'/>
    </filesystem>
    <filesystem type='mount'>
      <source dir='%s'/>
      <target dir='/out'/>
    </filesystem>
    %s
    <console type='pty'/>
  </devices>
</domain>`, name, xmlEscape(script), rootfs, out, extra)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(s)
}

// start defines and starts a container and registers its destruction and
// the check that nothing of it is left.
func (e *env) start(xml string) backend.DomainInfo {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.doms.Define(ctx, xml, backend.DefineOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	var err2 error
	e.inNS(func() { err2 = e.doms.Start(ctx, d.Name, backend.StartOptions{}) })
	if err2 != nil {
		e.t.Fatal(err2)
	}
	st, _ := stateFiles{run: fsutil.DirsFor("lxc", true).Run, name: d.Name}.readState()
	e.t.Cleanup(func() {
		e.inNS(func() {
			if info, err := e.doms.LookupByName(ctx, d.Name); err == nil && info.State.Active() {
				if err := e.doms.Destroy(ctx, d.Name, backend.DestroyOptions{}); err != nil {
					e.t.Errorf("destroy: %v", err)
				}
			}
			e.checkGone(st)
		})
	})
	info, err := e.doms.LookupByName(ctx, d.Name)
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

// checkGone fails when anything of a stopped container is left: its
// processes, cgroups, veths, root mount point or console socket.
func (e *env) checkGone(st runState) {
	e.t.Helper()
	for _, p := range []struct {
		pid   int
		start uint64
		what  string
	}{{st.InitPID, st.InitStart, "init"}, {st.ControllerPID, st.ControllerStart, "controller"}} {
		if alive(p.pid, p.start) {
			e.t.Errorf("%s (pid %d, start time %d) still runs", p.what, p.pid, p.start)
		}
	}
	if st.Cgroup != nil && st.Cgroup.Exists() {
		e.t.Errorf("cgroup left: %v", st.Cgroup.Dirs)
	}
	for _, v := range st.Veths {
		if links.Exists(v) {
			e.t.Errorf("veth %s left", v)
		}
		if _, err := e.conn.(*conn).nets.LoadPort(v); !errors.Is(err, backend.ErrNotFound) {
			e.t.Errorf("port record of %s left: %v", v, err)
		}
	}
	for _, p := range []string{st.Staging, st.ConsoleSocket} {
		if _, err := os.Stat(p); p != "" && err == nil {
			e.t.Errorf("%s left", p)
		}
	}
	if mounts, _ := os.ReadFile("/proc/self/mountinfo"); st.Staging != "" && strings.Contains(string(mounts), st.Staging) {
		e.t.Errorf("mount on %s left in the host", st.Staging)
	}
}

// waitFile waits (bounded) until path exists with content, and returns it.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", path)
	return ""
}

func (e *env) state(name string) runState {
	st, err := stateFiles{run: fsutil.DirsFor("lxc", true).Run, name: name}.readState()
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

var errNotYet = errors.New("not yet")
