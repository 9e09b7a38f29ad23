package qemu

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// Start starts a defined domain under a new supervisor.
func (d *domains) Start(ctx context.Context, name string, opts backend.StartOptions) error {
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	doc, ok, err := d.c.defs.Read(name)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NoDomain("no domain with matching name '%s'", name)
	}
	if st, has, _ := d.c.readStatus(name); has && st.State.Active() {
		return backend.InvalidState("domain is already running")
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return backend.XMLError("domain '%s': %v", name, err)
	}
	return d.c.launch(&dom, opts, false)
}

// Create starts a transient domain from XML.
func (d *domains) Create(ctx context.Context, doc string, opts backend.StartOptions) (backend.DomainInfo, error) {
	def, err := d.c.parseDomain(doc)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	dom := def.Domain
	unlock, err := d.c.defs.Lock(dom.Name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	defer unlock()
	if st, has, _ := d.c.readStatus(dom.Name); has && st.State.Active() {
		return backend.DomainInfo{}, backend.OperationFailed("domain '%s' is already active", dom.Name)
	}
	if err := d.c.claimUUID(dom); err != nil {
		return backend.DomainInfo{}, err
	}
	_, persistent, _ := d.c.defs.Read(dom.Name)
	if err := d.c.launch(dom, opts, !persistent); err != nil {
		return backend.DomainInfo{}, err
	}
	return d.info(dom.Name)
}

// launch writes the live XML and starts the supervisor, which starts
// QEMU; it returns once the domain runs (or failed to).
func (c *Conn) launch(dom *libvirtxml.Domain, opts backend.StartOptions, transient bool) error {
	if _, err := c.command(dom); err != nil {
		return err
	}
	id, err := c.nextID()
	if err != nil {
		return err
	}
	dom.ID = &id
	out, err := dom.Marshal()
	if err != nil {
		return backend.Internal("%v", err)
	}
	if err := writeFile(c.liveXMLPath(dom.Name), out); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return backend.OperationFailed("cannot find the virtsh binary to run the supervisor: %v", err)
	}
	args := []string{supervisorMode, c.dirs.Config, c.dirs.Run, c.dirs.Lib, c.dirs.Log}
	if opts.Paused {
		args = append(args, "-paused")
	}
	if transient {
		args = append(args, "-transient")
	}
	if opts.Autodestroy {
		args = append(args, "-autodestroy", strconv.Itoa(os.Getpid()))
	}
	args = append(args, dom.Name)
	// Readable too: the supervisor reads back what QEMU wrote to say why
	// it failed to start (qemuError).
	logFile, err := os.OpenFile(c.logPath(dom.Name), os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return backend.OperationFailed("cannot open the domain's log: %v", err)
	}
	defer logFile.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	defer readyR.Close()
	sup := exec.Command(exe, args...)
	sup.Stdout, sup.Stderr = logFile, logFile
	sup.ExtraFiles = []*os.File{readyW}
	sup.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := sup.Start(); err != nil {
		readyW.Close()
		os.Remove(c.liveXMLPath(dom.Name))
		return backend.OperationFailed("cannot start the supervisor: %v", err)
	}
	readyW.Close()
	line, _ := bufio.NewReader(readyR).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "ok" {
		sup.Process.Release()
		return nil
	}
	sup.Wait()
	os.Remove(c.liveXMLPath(dom.Name))
	code, msg, found := strings.Cut(line, " ")
	if !found {
		return backend.OperationFailed("the supervisor of domain '%s' exited during start; see %s", dom.Name, c.logPath(dom.Name))
	}
	return &backend.Error{Code: backend.Code(code), Msg: msg}
}

// live sends a request to the domain's supervisor; with none left, it
// acts on QEMU directly.
func (c *Conn) live(name string, req request, wait time.Duration) (json.RawMessage, error) {
	st, has, err := c.readStatus(name)
	if err != nil {
		return nil, err
	}
	if !has || !st.State.Active() {
		if _, ok, _ := c.defs.Read(name); !ok && !has {
			return nil, backend.NoDomain("no domain with matching name '%s'", name)
		}
		return nil, backend.InvalidState("domain is not running")
	}
	ret, err := callSupervisor(c.controlPath(name), req, wait)
	if !errors.Is(err, errNoSupervisor) {
		return ret, err
	}
	if supervisorAlive(st.SupervisorPID, name) {
		return nil, backend.OperationFailed("the supervisor of domain '%s' (pid %d) does not answer on %s", name, st.SupervisorPID, c.controlPath(name))
	}
	return c.withoutSupervisor(name, st, req)
}

// lifecycle runs a state-changing request with the domain locked.
func (d *domains) lifecycle(name string, req request) error {
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = d.c.live(name, req, 35*time.Second)
	return err
}

// Destroy stops the domain and, before it returns (and unlocks), waits for
// the supervisor to finish its cleanup and exit, so that a start right
// after never races the old supervisor's removal of runtime state.
func (d *domains) Destroy(ctx context.Context, name string, opts backend.DestroyOptions) error {
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	st, _, _ := d.c.readStatus(name)
	if _, err := d.c.live(name, request{Op: opDestroy, Graceful: opts.Graceful}, 35*time.Second); err != nil {
		return err
	}
	for deadline := time.Now().Add(supervisorExitWait); st.SupervisorPID > 0 && !processGone(st.SupervisorPID) && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	return nil
}

// supervisorExitWait bounds Destroy's wait for the supervisor's exit.
const supervisorExitWait = 5 * time.Second

func (d *domains) Shutdown(ctx context.Context, name string, opts backend.ShutdownOptions) error {
	return d.shutdown(name, opShutdown, opts.Modes)
}

func (d *domains) Reboot(ctx context.Context, name string, opts backend.ShutdownOptions) error {
	return d.shutdown(name, opReboot, opts.Modes)
}

// shutdown tries the given modes in order (acpi when none).
func (d *domains) shutdown(name, op string, modes []string) error {
	if len(modes) == 0 {
		modes = []string{"acpi"}
	}
	for _, m := range modes {
		if m != "acpi" && m != "agent" {
			return backend.ConfigUnsupported("shutdown mode '%s' is not supported by the QEMU driver; use acpi or agent", m)
		}
	}
	var err error
	for _, m := range modes {
		if err = d.lifecycle(name, request{Op: op, Mode: m}); err == nil {
			return nil
		}
	}
	return err
}

func (d *domains) Reset(ctx context.Context, name string) error {
	return d.lifecycle(name, request{Op: opReset})
}

func (d *domains) Suspend(ctx context.Context, name string) error {
	st, has, _ := d.c.readStatus(name)
	if has && st.State == backend.DomainPaused {
		return backend.InvalidState("domain is already paused")
	}
	return d.lifecycle(name, request{Op: opSuspend})
}

func (d *domains) Resume(ctx context.Context, name string) error {
	st, has, _ := d.c.readStatus(name)
	if has && st.State == backend.DomainRunning {
		return backend.InvalidState("domain is already running")
	}
	return d.lifecycle(name, request{Op: opResume})
}

// withoutSupervisor acts on a domain whose supervisor is gone (killed):
// QEMU still runs, so destroy kills it by pid (once its command line
// shows it is this domain's QEMU) and the rest goes through QMP, which
// is free now that nobody holds it. Lifecycle actions (on_poweroff, ...)
// are not applied for such a domain.
func (c *Conn) withoutSupervisor(name string, st status, req request) (json.RawMessage, error) {
	if !qemuAlive(st.QEMUPID, name) {
		return nil, backend.InvalidState("domain is not running")
	}
	if req.Op == opDestroy {
		return nil, c.killQEMU(name, st, req.Graceful)
	}
	mon, err := connectQMP(c.paths(name).Monitor, 2*time.Second, func() bool { return qemuAlive(st.QEMUPID, name) })
	if err != nil {
		return nil, backend.OperationFailed("the supervisor of domain '%s' is gone and QEMU's monitor does not answer: %v", name, err)
	}
	defer mon.Disconnect()
	run := func(cmd string) error { _, err := runQMP(mon, cmd, nil); return err }
	switch req.Op {
	case opShutdown, opReboot:
		if req.Mode == "agent" {
			return nil, backend.OperationFailed("the supervisor of domain '%s' is gone; use --mode acpi", name)
		}
		return nil, run("system_powerdown")
	case opReset:
		return nil, run("system_reset")
	case opSuspend, opResume:
		cmd, state, reason := "stop", backend.DomainPaused, backend.PausedUser
		if req.Op == opResume {
			cmd, state, reason = "cont", backend.DomainRunning, backend.RunningUnpaused
		}
		if err := run(cmd); err != nil {
			return nil, err
		}
		st.State, st.Reason = state, reason
		taps, event := recordedTaps(st.Taps), (*tapPorts).cpusStopped
		if req.Op == opResume {
			event = (*tapPorts).cpusStarted
		}
		return nil, errors.Join(c.writeStatus(name, st), event(taps))
	case opQMP:
		return runRawQMP(mon, req.Command)
	case opMonitor:
		return monitorCommand(mon, req)
	case opSetMem:
		_, err := runQMP(mon, "balloon", map[string]any{"value": req.KiB * 1024})
		return nil, err
	}
	return nil, backend.OperationFailed("the supervisor of domain '%s' is gone; only destroy, shutdown, reset, suspend, resume and monitor commands work", name)
}

// killQEMU destroys a domain whose supervisor is gone.
func (c *Conn) killQEMU(name string, st status, graceful bool) error {
	syscall.Kill(st.QEMUPID, syscall.SIGTERM)
	if !waitGone(st.QEMUPID, 10*time.Second) {
		if graceful {
			return backend.OperationFailed("QEMU did not exit within 10 s of SIGTERM; destroy without --graceful to kill it")
		}
		syscall.Kill(st.QEMUPID, syscall.SIGKILL)
		if !waitGone(st.QEMUPID, 10*time.Second) {
			return backend.OperationFailed("QEMU (pid %d) did not exit after SIGKILL", st.QEMUPID)
		}
	}
	cleanupRun(c, name, recordedTaps(st.Taps))
	if st.Transient {
		os.Remove(c.statusPath(name))
		return nil
	}
	return c.writeStatus(name, status{ID: -1, State: backend.DomainShutoff, Reason: backend.ShutoffDestroyed})
}

func waitGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}
