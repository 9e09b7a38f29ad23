package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lxcShell runs virtsh on lxc:///system (or uri) with its own
// VIRTSH_ROOT, through the command prefix when set (ip netns exec NS).
type lxcShell struct {
	t      testing.TB
	root   string
	uri    string
	prefix []string
}

func (s lxcShell) run(args ...string) result {
	s.t.Helper()
	return s.runIn("", args...)
}

// runIn runs virtsh with stdin as its standard input.
func (s lxcShell) runIn(stdin string, args ...string) result {
	s.t.Helper()
	uri := s.uri
	if uri == "" {
		uri = "lxc:///system"
	}
	argv := append(append(append([]string{}, s.prefix...), virtshBin, "-c", uri), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(cleanEnv(), "VIRTSH_ROOT="+s.root)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	return result{out.String(), errOut.String(), code}
}

// ok runs a command that must succeed and print want on stdout.
func (s lxcShell) ok(want string, args ...string) {
	s.t.Helper()
	if r := s.run(args...); r.code != 0 || r.stdout != want {
		s.t.Fatalf("virtsh %q: exit %d\nstdout %q\nwant   %q\nstderr %q", args, r.code, r.stdout, want, r.stderr)
	}
}

// waitState polls domstate (at most 20 s) until it prints want.
func (s lxcShell) waitState(name, want string) {
	s.t.Helper()
	var got string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = strings.TrimSpace(s.run("domstate", name, "--reason").stdout); got == want {
			return
		}
	}
	s.t.Fatalf("domstate %s: %q, want %q", name, got, want)
}

// busyboxRootfs makes a root filesystem of busybox-static and its applets.
func busyboxRootfs(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal("busybox not found: install busybox-static (.ci/run does)")
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "sleep", "hostname", "cat", "ls"} {
		os.Symlink("busybox", filepath.Join(root, "bin", applet))
	}
	return root
}

// TestLXCThroughTheCLI is a container's whole life through the virtsh
// binary: define, start, list, dominfo, suspend/resume, lxc-enter-namespace
// with the command's exit status, shutdown, start, destroy, undefine.
func TestLXCThroughTheCLI(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the LXC tests need root (CI runs as root)")
	}
	s := lxcShell{t: t, root: t.TempDir()}
	xml := filepath.Join(t.TempDir(), "ct.xml")
	err := os.WriteFile(xml, []byte(fmt.Sprintf(`<domain type='lxc'>
  <name>clict</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg>
    <initarg>trap 'exit 0' TERM; while true; do sleep 0.1; done</initarg></os>
  <devices>
    <filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem>
    <console type='pty'/>
  </devices>
</domain>`, busyboxRootfs(t))), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.run("destroy", "clict"); s.run("undefine", "clict") })

	s.ok("Domain 'clict' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain 'clict' started\n\n", "start", "clict")
	if r := s.run("list", "--all"); !strings.Contains(r.stdout, " clict   running") {
		t.Errorf("list --all:\n%s", r.stdout)
	}
	if r := s.run("dominfo", "clict"); !strings.Contains(r.stdout, "State:          running") || !strings.Contains(r.stdout, "OS Type:        exe") {
		t.Errorf("dominfo:\n%s", r.stdout)
	}
	s.ok("Domain 'clict' suspended\n\n", "suspend", "clict")
	s.waitState("clict", "paused (user)")
	s.ok("Domain 'clict' resumed\n\n", "resume", "clict")
	s.waitState("clict", "running (unpaused)")

	s.ok("clict\n\n", "lxc-enter-namespace", "clict", "--", "/bin/hostname")
	if r := s.run("lxc-enter-namespace", "clict", "--", "/bin/sh", "-c", "exit 7"); r.code != 7 || r.stderr != "" {
		t.Errorf("lxc-enter-namespace exit 7: status %d, stderr %q", r.code, r.stderr)
	}

	s.ok("Domain 'clict' is being shutdown\n\n", "shutdown", "clict")
	s.waitState("clict", "shut off (shutdown)")
	s.ok("Domain 'clict' started\n\n", "start", "clict")
	s.ok("Domain 'clict' destroyed\n\n", "destroy", "clict")
	s.waitState("clict", "shut off (destroyed)")
	s.ok("Domain 'clict' has been undefined\n\n", "undefine", "clict")
	if r := s.run("list", "--all", "--name"); r.stdout != "\n" {
		t.Errorf("list after undefine: %q", r.stdout)
	}
}

// BenchmarkLXCStartDestroyCLI times `virtsh start` and `virtsh destroy` of
// a busybox container as whole processes, as a user runs them; the anchor,
// lxc-start -d (until RUNNING) and lxc-stop -k, is
// BenchmarkLXCToolsStartStop in backend/lxc, run beside it by .ci/run.
func BenchmarkLXCStartDestroyCLI(b *testing.B) {
	root, err := os.MkdirTemp("/dev/shm", "virtsh-bench-") // /run is a tmpfs too
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(root) })
	s := lxcShell{t: b, root: root}
	rootfs, err := os.MkdirTemp("", "virtsh-bench-rootfs-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(rootfs) })
	bb, err := exec.LookPath("busybox")
	if err != nil {
		b.Fatal("busybox not found: install busybox-static")
	}
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp"} {
		os.MkdirAll(filepath.Join(rootfs, d), 0o755)
	}
	data, _ := os.ReadFile(bb)
	os.WriteFile(filepath.Join(rootfs, "bin/busybox"), data, 0o755)
	os.Symlink("busybox", filepath.Join(rootfs, "bin/sleep"))
	xml := filepath.Join(rootfs, "..", filepath.Base(rootfs)+".xml")
	os.WriteFile(xml, []byte(fmt.Sprintf(`<domain type='lxc'><name>bench</name><memory unit='MiB'>64</memory>
  <os><type>exe</type><init>/bin/sleep</init><initarg>1000</initarg></os>
  <devices><filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem><console type='pty'/></devices></domain>`, rootfs)), 0o644)
	b.Cleanup(func() { os.Remove(xml) })
	if r := s.run("define", xml); r.code != 0 {
		b.Fatalf("define: %s", r.stderr)
	}
	var start, destroy time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if r := s.run("start", "bench"); r.code != 0 {
			b.Fatalf("start: %s", r.stderr)
		}
		t1 := time.Now()
		if r := s.run("destroy", "bench"); r.code != 0 {
			b.Fatalf("destroy: %s", r.stderr)
		}
		start += t1.Sub(t0)
		destroy += time.Since(t1)
	}
	b.ReportMetric(float64(start.Microseconds())/1000/float64(b.N), "ms-start")
	b.ReportMetric(float64(destroy.Microseconds())/1000/float64(b.N), "ms-destroy")
}

// TestLXCIDMap: with <idmap>, the container's root is an unprivileged host
// uid (a user namespace), yet init runs and the container works.
func TestLXCIDMap(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the LXC tests need root (CI runs as root)")
	}
	// The container's root (host uid 100000) must pass through the test's
	// directories to its root filesystem and its mount point.
	root := t.TempDir()
	rootfs := busyboxRootfs(t)
	for _, d := range []string{filepath.Dir(root), root, rootfs} {
		os.Chmod(d, 0o711)
	}
	// As with libvirt, the root filesystem belongs to the container's root.
	filepath.Walk(rootfs, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			err = os.Lchown(p, 100000, 100000)
		}
		return err
	})
	s := lxcShell{t: t, root: root}
	xml := filepath.Join(t.TempDir(), "idm.xml")
	os.WriteFile(xml, []byte(fmt.Sprintf(`<domain type='lxc'>
  <name>idmct</name>
  <memory unit='MiB'>64</memory>
  <os><type>exe</type><init>/bin/sleep</init><initarg>4242</initarg></os>
  <idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>
  <devices><filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem><console type='pty'/></devices>
</domain>`, rootfs)), 0o644)
	t.Cleanup(func() { s.run("destroy", "idmct"); s.run("undefine", "idmct") })
	s.ok("Domain 'idmct' defined from "+xml+"\n\n", "define", xml)
	s.ok("Domain 'idmct' started\n\n", "start", "idmct")
	uid := ""
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if string(cmdline) == "/bin/sleep\x004242\x00" {
			status, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
			for _, l := range strings.Split(string(status), "\n") {
				if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
					uid = f[1]
				}
			}
		}
	}
	if uid != "100000" {
		t.Errorf("the container's init runs as host uid %q, want 100000", uid)
	}

	// lxc-enter-namespace joins the user namespace too: the command is the
	// container's root, which is host uid 100000, in all its namespaces
	// and its cgroup.
	s.ok("0 0\n\n", "lxc-enter-namespace", "idmct", "--", "/bin/sh", "-c", "echo $(id -u) $(id -g)")
	if r := s.run("lxc-enter-namespace", "idmct", "--", "cat", "/proc/self/uid_map"); r.code != 0 || strings.Join(strings.Fields(r.stdout), " ") != "0 100000 65536" {
		t.Errorf("uid_map of an entered command: %q (status %d, stderr %q)", r.stdout, r.code, r.stderr)
	}
	s.ok("\n", "lxc-enter-namespace", "idmct", "--", "/bin/sh", "-c", ": >/entered")
	if st, err := os.Stat(filepath.Join(rootfs, "entered")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 100000 || st.Sys().(*syscall.Stat_t).Gid != 100000 {
		t.Errorf("a file an entered command made: %v %v, want it owned by 100000:100000", st, err)
	}
	s.ok("idmct\n\n", "lxc-enter-namespace", "idmct", "--", "hostname")
	if r := s.run("lxc-enter-namespace", "idmct", "--", "cat", "/proc/self/cgroup"); r.code != 0 || !strings.Contains(r.stdout, "idmct.lxc") {
		t.Errorf("cgroups of an entered command: %q (status %d, stderr %q)", r.stdout, r.code, r.stderr)
	}
	if r := s.run("lxc-enter-namespace", "idmct", "--", "/bin/sh", "-c", "exit 7"); r.code != 7 || r.stderr != "" {
		t.Errorf("lxc-enter-namespace exit 7: status %d, stderr %q", r.code, r.stderr)
	}
	if r := s.run("lxc-enter-namespace", "idmct", "--", "/bin/sh", "-c", "kill -TERM $$"); r.code != 128+15 {
		t.Errorf("lxc-enter-namespace of a command killed by SIGTERM: status %d, want 143 (stderr %q)", r.code, r.stderr)
	}
	s.ok("Domain 'idmct' destroyed\n\n", "destroy", "idmct")
}
