package qemu

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/digitalocean/go-qemu/qmp"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// fakeMonitor records the QMP commands it is sent and answers {}.
type fakeMonitor struct {
	mu   sync.Mutex
	cmds []string
}

func (f *fakeMonitor) Run(cmd []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, commandName(cmd))
	return []byte(`{"return":{}}`), nil
}
func (f *fakeMonitor) Events(context.Context) (<-chan qmp.Event, error) { return nil, nil }
func (f *fakeMonitor) Disconnect() error                                { return nil }

func (f *fakeMonitor) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

// fakeProcess is a QEMU that exits when signalled.
type fakeProcess struct {
	exited  chan struct{}
	signals []os.Signal
}

func (p *fakeProcess) Pid() int { return 4242 }
func (p *fakeProcess) Signal(sig os.Signal) error {
	p.signals = append(p.signals, sig)
	select {
	case <-p.exited:
	default:
		close(p.exited)
	}
	return nil
}

var argvCommandNone = argv.Command{}

// newFakeSupervisor is a supervisor of a running domain whose QEMU and
// monitor are fakes.
func newFakeSupervisor(t *testing.T, onPoweroff, onReboot, onCrash string) (*supervisor, *fakeMonitor, *fakeProcess) {
	c := openTest(t)
	name := "fake"
	id := 7
	dom := &libvirtxml.Domain{Type: "qemu", Name: name, ID: &id, OnPoweroff: onPoweroff, OnReboot: onReboot, OnCrash: onCrash,
		Devices: &libvirtxml.DomainDeviceList{}}
	mon := &fakeMonitor{}
	proc := &fakeProcess{exited: make(chan struct{})}
	s := &supervisor{c: c, name: name, dom: dom, mon: mon, qemu: proc, taps: &tapPorts{},
		exited: proc.exited, done: make(chan struct{}), resumeReason: backend.RunningUnpaused} // as after the first cont
	s.st = status{ID: id, State: backend.DomainRunning, Reason: backend.RunningBooted, SupervisorPID: os.Getpid(), QEMUPID: os.Getpid()}
	if err := s.c.writeStatus(name, s.st); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(c.liveXMLPath(name), mustMarshal(dom)); err != nil {
		t.Fatal(err)
	}
	go func() {
		<-proc.exited
		s.finish()
	}()
	return s, mon, proc
}

func (s *supervisor) recorded(t *testing.T) status {
	t.Helper()
	b, err := os.ReadFile(s.c.statusPath(s.name))
	if err != nil {
		t.Fatal(err)
	}
	var st status
	json.Unmarshal(b, &st)
	return st
}

func ev(name string, data map[string]any) qmp.Event { return qmp.Event{Event: name, Data: data} }

func TestSupervisorGuestPoweroffDestroys(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "", "", "")
	s.handleEvent(ev("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-shutdown"}))
	if got := mon.sent(); len(got) != 1 || got[0] != "quit" {
		t.Fatalf("commands %v, want quit", got)
	}
	// QEMU exits after quit.
	s.qemu.Signal(syscall.SIGTERM)
	<-s.done
	if st := s.recorded(t); st.State != backend.DomainShutoff || st.Reason != backend.ShutoffShutdown {
		t.Errorf("recorded %v (%d), want shut off (shutdown)", st.State, st.Reason)
	}
	if fileExists(s.c.liveXMLPath(s.name)) {
		t.Error("live XML left behind")
	}
}

func TestSupervisorPoweroffRestart(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "restart", "", "")
	s.handleEvent(ev("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-shutdown"}))
	if got := mon.sent(); len(got) != 2 || got[0] != "system_reset" || got[1] != "cont" {
		t.Fatalf("commands %v, want system_reset, cont", got)
	}
	s.handleEvent(ev("RESUME", nil))
	if st := s.recorded(t); st.State != backend.DomainRunning || st.Reason != backend.RunningBooted {
		t.Errorf("recorded %v (%d), want running (booted)", st.State, st.Reason)
	}
}

func TestSupervisorPoweroffPreserve(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "preserve", "", "")
	s.handleEvent(ev("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-shutdown"}))
	if got := mon.sent(); len(got) != 0 {
		t.Fatalf("commands %v, want none", got)
	}
	if st := s.recorded(t); st.State != backend.DomainPaused || backend.ReasonString(st.State, st.Reason) != "shutting down" {
		t.Errorf("recorded %v (%d), want paused (shutting down)", st.State, st.Reason)
	}
}

// QEMU stops the CPUs after a power-off under -no-shutdown: the STOP that
// follows SHUTDOWN keeps the reason preserve recorded.
func TestSupervisorPreserveThenStop(t *testing.T) {
	s, _, _ := newFakeSupervisor(t, "preserve", "", "")
	s.handleEvent(ev("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-shutdown"}))
	s.handleEvent(ev("STOP", nil))
	if st := s.recorded(t); st.State != backend.DomainPaused || backend.ReasonString(st.State, st.Reason) != "shutting down" {
		t.Errorf("recorded %v (%d), want paused (shutting down)", st.State, st.Reason)
	}
}

// CPUs QEMU stopped and started itself (HMP stop and cont): the state
// follows, with libvirt's reasons.
func TestSupervisorQEMUsOwnStopAndResume(t *testing.T) {
	s, _, _ := newFakeSupervisor(t, "", "", "")
	s.handleEvent(ev("STOP", nil))
	if st := s.recorded(t); st.State != backend.DomainPaused || backend.ReasonString(st.State, st.Reason) != "unknown" {
		t.Errorf("after STOP: recorded %v (%s), want paused (unknown)", st.State, backend.ReasonString(st.State, st.Reason))
	}
	s.handleEvent(ev("RESUME", nil))
	if st := s.recorded(t); st.State != backend.DomainRunning || backend.ReasonString(st.State, st.Reason) != "unpaused" {
		t.Errorf("after RESUME: recorded %v (%s), want running (unpaused)", st.State, backend.ReasonString(st.State, st.Reason))
	}
}

func TestSupervisorRebootUnderOnRebootDestroy(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "", "destroy", "")
	s.handleEvent(ev("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-reset"}))
	if got := mon.sent(); len(got) != 1 || got[0] != "quit" {
		t.Fatalf("commands %v, want quit", got)
	}
}

func TestSupervisorACPIRebootResets(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "", "", "")
	if r := s.handle(request{Op: opReboot, Mode: "acpi"}); r.err() != nil {
		t.Fatal(r.err())
	}
	s.handleEvent(ev("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-shutdown"}))
	want := []string{"system_powerdown", "system_reset", "cont"}
	if got := mon.sent(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("commands %v, want %v", got, want)
	}
}

func TestSupervisorCrash(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "", "", "preserve")
	s.handleEvent(ev("GUEST_PANICKED", map[string]any{"action": "pause"}))
	s.handleEvent(ev("STOP", nil))
	if st := s.recorded(t); st.State != backend.DomainCrashed || st.Reason != backend.CrashedPanicked {
		t.Errorf("recorded %v (%d), want crashed (panicked)", st.State, st.Reason)
	}
	if len(mon.sent()) != 0 {
		t.Errorf("commands %v", mon.sent())
	}
	s2, mon2, _ := newFakeSupervisor(t, "", "", "")
	s2.handleEvent(ev("GUEST_PANICKED", nil))
	if got := mon2.sent(); len(got) != 1 || got[0] != "quit" {
		t.Fatalf("on_crash destroy: commands %v", got)
	}
	s2.qemu.Signal(syscall.SIGTERM)
	<-s2.done
	if st := s2.recorded(t); st.State != backend.DomainShutoff || st.Reason != backend.ShutoffCrashed {
		t.Errorf("recorded %v (%d), want shut off (crashed)", st.State, st.Reason)
	}
}

func TestSupervisorSuspendResumeDestroy(t *testing.T) {
	s, mon, proc := newFakeSupervisor(t, "", "", "")
	if r := s.handle(request{Op: opSuspend}); r.err() != nil {
		t.Fatal(r.err())
	}
	s.handleEvent(ev("STOP", nil))
	if st := s.recorded(t); st.State != backend.DomainPaused || st.Reason != backend.PausedUser {
		t.Errorf("after suspend %v (%d)", st.State, st.Reason)
	}
	if r := s.handle(request{Op: opResume}); r.err() != nil {
		t.Fatal(r.err())
	}
	s.handleEvent(ev("RESUME", nil))
	if st := s.recorded(t); st.State != backend.DomainRunning || st.Reason != backend.RunningUnpaused {
		t.Errorf("after resume %v (%d)", st.State, st.Reason)
	}
	if r := s.handle(request{Op: opDestroy}); r.err() != nil {
		t.Fatal(r.err())
	}
	if len(proc.signals) != 1 || proc.signals[0] != syscall.SIGTERM {
		t.Errorf("signals %v, want SIGTERM", proc.signals)
	}
	if st := s.recorded(t); st.State != backend.DomainShutoff || st.Reason != backend.ShutoffDestroyed {
		t.Errorf("after destroy %v (%d)", st.State, st.Reason)
	}
	want := []string{"stop", "cont"}
	if got := mon.sent(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("commands %v, want %v", got, want)
	}
}

func TestSupervisorAgentWithoutChannel(t *testing.T) {
	s, _, _ := newFakeSupervisor(t, "", "", "")
	s.cmd = &argvCommandNone
	r := s.handle(request{Op: opShutdown, Mode: "agent"})
	if r.err() == nil || backend.CodeOf(r.err()) != backend.CodeUnsupported {
		t.Errorf("agent shutdown without a channel: %v", r.err())
	}
}

// An agent command fails at once while the guest has not opened the
// agent's port, and goes to the socket once QEMU says it has.
func TestSupervisorAgentPortClosed(t *testing.T) {
	s, _, _ := newFakeSupervisor(t, "", "", "")
	s.cmd = &argv.Command{Chardevs: []argv.Chardev{{Alias: "channel0", Type: "unix", Path: "/nonexistent/agent.sock", Name: "org.qemu.guest_agent.0"}}}
	ping := request{Op: opAgent, Command: json.RawMessage(`{"execute":"guest-ping"}`)}
	if err := s.handle(ping).err(); err == nil || !strings.Contains(err.Error(), "has not opened its agent channel") {
		t.Errorf("agent command on a closed port: %v", err)
	}
	s.handleEvent(ev("VSERPORT_CHANGE", map[string]any{"id": "channel0", "open": true}))
	if err := s.handle(ping).err(); err == nil || !strings.Contains(err.Error(), "cannot connect to the guest agent") {
		t.Errorf("agent command on an open port: %v", err)
	}
	s.handleEvent(ev("VSERPORT_CHANGE", map[string]any{"id": "channel0", "open": false}))
	if err := s.handle(request{Op: opShutdown, Mode: "agent"}).err(); err == nil || !strings.Contains(err.Error(), "has not opened its agent channel") {
		t.Errorf("agent shutdown once the port closed: %v", err)
	}
}
