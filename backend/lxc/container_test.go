package lxc

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// enter runs argv in the container and returns its status and output.
func (e *env) enter(name string, argv ...string) (int, string) {
	e.t.Helper()
	var out strings.Builder
	status, err := e.doms.(backend.DomainNamespaces).EnterNamespace(context.Background(), name, argv,
		backend.Stdio{In: strings.NewReader(""), Out: &out, Err: &out})
	if err != nil {
		e.t.Fatalf("enter %v: %v", argv, err)
	}
	return status, out.String()
}

const sleeper = `exec sleep 1000`

// TestEnterNamespace runs commands inside a running container: they see
// its pid namespace, hostname and root, and their exit status comes back.
func TestEnterNamespace(t *testing.T) {
	e := newEnv(t)
	e.start(domainXML("enter", busyboxRoot(t), t.TempDir(), sleeper, ""))
	if status, out := e.enter("enter", "/bin/sh", "-c", "exit 7"); status != 7 {
		t.Errorf("status %d (%q), want 7", status, out)
	}
	if status, out := e.enter("enter", "hostname"); status != 0 || strings.TrimSpace(out) != "enter" {
		t.Errorf("hostname: %d %q", status, out)
	}
	// ps shows the container's processes: init (sleep) as pid 1 and ps.
	if _, out := e.enter("enter", "cat", "/proc/1/cmdline"); !strings.HasPrefix(out, "sleep") {
		t.Errorf("pid 1 in the container is %q, want sleep", out)
	}
	if _, out := e.enter("enter", "ls", "/out"); out != "" {
		t.Errorf("/out holds %q", out)
	}
	if _, err := e.doms.(backend.DomainNamespaces).EnterNamespace(context.Background(), "enter", []string{"/no/such"}, backend.Stdio{}); err == nil {
		t.Error("a missing command ran")
	}
	// The command joins the container's cgroup.
	st := e.state("enter")
	status, out := e.enter("enter", "cat", "/proc/self/cgroup")
	if status != 0 || !strings.Contains(out, "enter.lxc") {
		t.Errorf("cgroups of an entered command: %q (group %v)", out, st.Cgroup.Dirs)
	}
}

// TestMemoryLimit: a process that exceeds the container's memory limit
// is killed by the kernel.
func TestMemoryLimit(t *testing.T) {
	e := newEnv(t)
	e.start(domainXML("mem", busyboxRoot(t), t.TempDir(), sleeper, ""))
	// dd with a 128 MiB block fills its buffer from /dev/zero: 64 MiB is the limit.
	status, out := e.enter("mem", "dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1")
	if status != 128+9 {
		t.Errorf("dd exceeding the limit ended with status %d (%q), want 137 (SIGKILL)", status, out)
	}
	kills, err := e.state("mem").Cgroup.OOMKills()
	if err != nil || kills == 0 {
		t.Errorf("oom kills %d %v", kills, err)
	}
	if status, out := e.enter("mem", "dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1"); status != 0 {
		t.Errorf("dd within the limit: %d %q", status, out)
	}
	stats, err := e.doms.MemoryStats(context.Background(), "mem")
	if err != nil || len(stats) != 3 || stats[0].Tag != "actual" || stats[0].Value != 64*1024 || stats[2].Tag != "rss" || stats[2].Value == 0 {
		t.Errorf("memory stats %+v %v", stats, err)
	}
}

// TestSuspendResume: suspend freezes every process of the container (a
// counter stops), resume thaws it.
func TestSuspendResume(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	e.start(domainXML("frz", busyboxRoot(t), out, `i=0; while true; do i=$((i+1)); echo $i > /out/n.tmp; mv /out/n.tmp /out/n; sleep 0.01; done`, ""))
	ctx := context.Background()
	counter := func() string {
		waitFile(t, filepath.Join(out, "n"))
		b, _ := os.ReadFile(filepath.Join(out, "n"))
		return string(b)
	}
	counter()
	if err := e.doms.Suspend(ctx, "frz"); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.doms.LookupByName(ctx, "frz"); d.State != backend.DomainPaused || d.Reason != backend.PausedUser {
		t.Errorf("after suspend: %v (%d)", d.State, d.Reason)
	}
	before := counter()
	time.Sleep(200 * time.Millisecond)
	if after := counter(); after != before {
		t.Errorf("counter moved while suspended: %q -> %q", before, after)
	}
	if err := e.doms.Resume(ctx, "frz"); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.doms.LookupByName(ctx, "frz"); d.State != backend.DomainRunning || d.Reason != backend.RunningUnpaused {
		t.Errorf("after resume: %v (%d)", d.State, d.Reason)
	}
	deadline := time.Now().Add(5 * time.Second)
	for counter() == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if counter() == before {
		t.Error("counter did not move after resume")
	}
	// Destroying a suspended container works too.
	if err := e.doms.Suspend(ctx, "frz"); err != nil {
		t.Fatal(err)
	}
}

// TestConsole attaches to the console: the container's shell answers,
// a second client is refused, and --force takes the console over.
func TestConsole(t *testing.T) {
	e := newEnv(t)
	e.start(domainXML("con", busyboxRoot(t), t.TempDir(), `exec /bin/sh -i`, ""))
	ctx := context.Background()
	cons := e.doms.(backend.DomainConsole)
	c, err := cons.OpenConsole(ctx, "con", "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := cons.OpenConsole(ctx, "con", "", false); err == nil || !strings.Contains(err.Error(), "Active console session") {
		t.Errorf("second client: %v", err)
	}
	if _, err := io.WriteString(c, "echo hello-$((6*7))\n"); err != nil {
		t.Fatal(err)
	}
	if !readUntil(c, "hello-42", 5*time.Second) {
		t.Error("no answer on the console")
	}
	forced, err := cons.OpenConsole(ctx, "con", "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer forced.Close()
	io.WriteString(forced, "echo forced-$((1+1))\n")
	if !readUntil(forced, "forced-2", 5*time.Second) {
		t.Error("no answer on the forced console")
	}
}

func readUntil(r io.Reader, want string, timeout time.Duration) bool {
	got := make(chan bool, 1)
	go func() {
		var acc []byte
		buf := make([]byte, 256)
		for {
			n, err := r.Read(buf)
			acc = append(acc, buf[:n]...)
			if strings.Contains(string(acc), want) {
				got <- true
				return
			}
			if err != nil {
				got <- false
				return
			}
		}
	}()
	select {
	case ok := <-got:
		return ok
	case <-time.After(timeout):
		return false
	}
}
