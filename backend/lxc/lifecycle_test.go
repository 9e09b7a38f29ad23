package lxc

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// waitState waits (bounded) for a domain to reach state.
func (e *env) waitState(name string, want backend.DomainState) backend.DomainInfo {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := e.doms.LookupByName(context.Background(), name)
		if err == nil && d.State == want {
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: state %v (%v), want %v", name, d.State, err, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestShutdownSignalsInit: shutdown sends SIGTERM to init; when init
// exits the controller cleans up and records "shut off (shutdown)".
func TestShutdownSignalsInit(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	e.start(domainXML("sd", busyboxRoot(t), out, `trap 'echo term > /out/got; exit 0' TERM; echo up > /out/up; while true; do sleep 0.05; done`, ""))
	waitFile(t, filepath.Join(out, "up"))
	st := e.state("sd")
	if err := e.doms.Shutdown(context.Background(), "sd", backend.ShutdownOptions{}); err != nil {
		t.Fatal(err)
	}
	d := e.waitState("sd", backend.DomainShutoff)
	if d.Reason != backend.ShutoffShutdown {
		t.Errorf("reason %s", backend.ReasonString(d.State, d.Reason))
	}
	if got := waitFile(t, filepath.Join(out, "got")); got != "term" {
		t.Errorf("init got %q", got)
	}
	waitExit(st.ControllerPID, st.ControllerStart, 5*time.Second)
	e.checkGone(st)
	if err := e.doms.Shutdown(context.Background(), "sd", backend.ShutdownOptions{Modes: []string{"acpi"}}); err == nil {
		t.Error("shutdown --mode acpi accepted")
	}
}

// TestReboot: reboot sends SIGHUP to init; an init that reboots (busybox
// reboot -f: init dies of SIGHUP in its pid namespace) is started again
// by the controller.
func TestReboot(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	e.start(domainXML("rb", busyboxRoot(t), out, `trap 'reboot -f' HUP; echo x >> /out/boots; while true; do sleep 0.05; done`, ""))
	waitFile(t, filepath.Join(out, "boots"))
	before := e.state("rb")
	if err := e.doms.Reboot(context.Background(), "rb", backend.ShutdownOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for waitFile(t, filepath.Join(out, "boots")) != "x\nx" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := waitFile(t, filepath.Join(out, "boots")); got != "x\nx" {
		t.Fatalf("boots %q, want two", got)
	}
	after := e.waitState("rb", backend.DomainRunning)
	if after.ID != before.ControllerPID {
		t.Errorf("the controller changed: %d -> %d", before.ControllerPID, after.ID)
	}
	if e.state("rb").InitPID == before.InitPID {
		t.Error("init pid unchanged after reboot")
	}
}

// TestKilledController: a container whose controller was killed keeps
// running and can still be destroyed, which cleans up from the state.
func TestKilledController(t *testing.T) {
	e := newEnv(t)
	e.start(domainXML("orphan", busyboxRoot(t), t.TempDir(), sleeper, ""))
	st := e.state("orphan")
	syscall.Kill(st.ControllerPID, syscall.SIGKILL)
	waitExit(st.ControllerPID, st.ControllerStart, 5*time.Second)
	if d := e.waitState("orphan", backend.DomainRunning); d.ID != st.ControllerPID {
		t.Errorf("id %d", d.ID)
	}
	if status, _ := e.enter("orphan", "true"); status != 0 {
		t.Errorf("enter without a controller: %d", status)
	}
	if _, err := e.doms.(backend.DomainConsole).OpenConsole(context.Background(), "orphan", "", false); err == nil || !strings.Contains(err.Error(), "controller") {
		t.Errorf("console without a controller: %v", err)
	}
	if err := e.doms.Destroy(context.Background(), "orphan", backend.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := e.waitState("orphan", backend.DomainShutoff); d.Reason != backend.ShutoffDestroyed {
		t.Errorf("reason %s", backend.ReasonString(d.State, d.Reason))
	}
	e.checkGone(st)
}

// TestStartFailure: an init that does not exist fails the start with the
// container's own message, and leaves nothing behind.
func TestStartFailure(t *testing.T) {
	e := newEnv(t)
	xml := strings.Replace(domainXML("bad", busyboxRoot(t), t.TempDir(), sleeper, ""), "<init>/bin/sh</init>", "<init>/no/init</init>", 1)
	d, err := e.doms.Define(context.Background(), xml, backend.DefineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = e.doms.Start(context.Background(), d.Name, backend.StartOptions{})
	if err == nil || !strings.Contains(err.Error(), "/no/init") {
		t.Fatalf("start: %v", err)
	}
	d, _ = e.doms.LookupByName(context.Background(), "bad")
	if d.State != backend.DomainShutoff || d.Reason != backend.ShutoffFailed {
		t.Errorf("after a failed start: %v %s", d.State, backend.ReasonString(d.State, d.Reason))
	}
	if d, _ := e.doms.LookupByName(context.Background(), "bad"); d.ID != -1 {
		t.Errorf("id %d", d.ID)
	}
}
