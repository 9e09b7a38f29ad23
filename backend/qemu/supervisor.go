package qemu

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// supervisorMode is the hidden mode of the virtsh binary that supervises
// one running domain.
const supervisorMode = "__qemu-supervisor"

// process is the running QEMU, as the supervisor sees it.
type process interface {
	Pid() int
	Signal(sig os.Signal) error
}

// osProcess adapts os.Process.
type osProcess struct{ p *os.Process }

func (o osProcess) Pid() int                   { return o.p.Pid }
func (o osProcess) Signal(sig os.Signal) error { return o.p.Signal(sig) }

// supervisor holds one running domain: its QEMU process, its QMP
// connection, and its state.
type supervisor struct {
	c      *Conn
	name   string
	dom    *libvirtxml.Domain
	cmd    *argv.Command
	mon    monitor
	qemu   process
	taps   *tapPorts
	exited chan struct{} // closed when QEMU has exited
	done   chan struct{} // closed when everything is cleaned up
	// powered has a value after QEMU's SHUTDOWN or RESET event: what an
	// agent shutdown or reboot waits for, the agent giving no answer.
	powered chan struct{}

	mu           sync.Mutex
	st           status
	fakeReboot   bool // a reboot through ACPI: the next power-off resets
	pauseReason  int  // reason of the next STOP event
	resumeReason int  // reason of the next RESUME event
	stopReason   int  // shut-off reason when QEMU exits; 0 means it crashed
	agentOpen    bool // the guest has opened the agent's port (VSERPORT_CHANGE)
	exiting      bool
	// unplugs are the devices being unplugged, closed at their DEVICE_DELETED.
	unplugs map[string]chan struct{}
}

// supervisorMain is `virtsh __qemu-supervisor CONFIG RUN LIB LOG [flags] NAME`.
// It reports on file descriptor 3 whether the domain started ("ok", or
// the error), then keeps running until QEMU exits.
func supervisorMain(args []string) int {
	fs := flag.NewFlagSet(supervisorMode, flag.ContinueOnError)
	paused := fs.Bool("paused", false, "leave the CPUs paused")
	transient := fs.Bool("transient", false, "the domain has no persistent definition")
	autodestroy := fs.Int("autodestroy", 0, "destroy the domain when this process exits")
	if len(args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: virtsh", supervisorMode, "CONFIG RUN LIB LOG [flags] NAME")
		return 2
	}
	dirs := fsutil.Dirs{Config: args[0], Run: args[1], Lib: args[2], Log: args[3]}
	if err := fs.Parse(args[4:]); err != nil || fs.NArg() != 1 {
		return 2
	}
	name := fs.Arg(0)
	ready := os.NewFile(3, "ready")
	report := func(err error) {
		if ready == nil {
			return
		}
		if err != nil {
			fmt.Fprintf(ready, "%s %s\n", backend.CodeOf(err), err)
		} else {
			fmt.Fprintln(ready, "ok")
		}
		ready.Close()
		ready = nil
	}
	// Its own session already shields it from the terminal; be sure.
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	c, err := openConn("", dirs)
	if err != nil {
		report(err)
		return 1
	}
	s, err := launchQEMU(c, name, *paused, *transient, *autodestroy)
	if err != nil {
		logf("domain '%s' failed to start: %v", name, err)
		report(err)
		return 1
	}
	logf("domain '%s' started: QEMU pid %d", name, s.qemu.Pid())
	ln, err := listenControl(c.controlPath(name))
	if err != nil {
		report(err)
		s.qemu.Signal(syscall.SIGKILL)
		<-s.exited
		s.finish()
		return 1
	}
	report(nil)
	s.serve(ln)
	return 0
}

func listenControl(path string) (net.Listener, error) {
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, backend.OperationFailed("cannot listen on %s: %v", path, err)
	}
	os.Chmod(path, 0o600)
	return ln, nil
}

// launchQEMU sets up what the domain needs (taps, UEFI variables), starts
// QEMU with its CPUs paused, connects to QMP, finishes the setup, and
// lets the CPUs run unless paused.
func launchQEMU(c *Conn, name string, paused, transient bool, autodestroy int) (s *supervisor, err error) {
	b, err := os.ReadFile(c.liveXMLPath(name))
	if err != nil {
		return nil, backend.OperationFailed("cannot read the live XML of '%s': %v", name, err)
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(string(b)); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	cmd, err := c.command(&dom)
	if err != nil {
		return nil, err
	}
	taps, files, err := plugTaps(&dom, cmd.Taps)
	if err != nil {
		return nil, err
	}
	s = &supervisor{c: c, name: name, dom: &dom, cmd: cmd, taps: taps,
		exited: make(chan struct{}), done: make(chan struct{}), powered: make(chan struct{}, 1), resumeReason: backend.RunningBooted}
	s.st = status{ID: *dom.ID, State: backend.DomainPaused, Reason: backend.PausedStartingUp,
		SupervisorPID: os.Getpid(), Transient: transient, Autodestroy: autodestroy, Started: time.Now(),
		Taps: taps.devices()}
	defer func() {
		for _, f := range files {
			f.Close()
		}
		if err != nil {
			taps.unplug()
		}
	}()
	if err := prepareNVRAM(cmd); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(c.dirs.Run, name), 0o700); err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	os.Remove(c.paths(name).Monitor)
	logStart, _ := os.Stderr.Seek(0, io.SeekEnd)
	proc := exec.Command(cmd.Path, cmd.Args...)
	proc.Env = cmd.Env
	proc.ExtraFiles = files
	proc.Stdout, proc.Stderr = os.Stderr, os.Stderr
	// Its own session: QEMU outlives a killed supervisor.
	proc.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	logf("starting %s", cmd.String())
	if err := proc.Start(); err != nil {
		return nil, backend.OperationFailed("cannot run %s: %v", cmd.Path, err)
	}
	s.qemu = osProcess{proc.Process}
	s.st.QEMUPID = proc.Process.Pid
	go func() {
		proc.Wait()
		close(s.exited)
	}()
	alive := func() bool {
		select {
		case <-s.exited:
			return false
		default:
			return true
		}
	}
	mon, err := connectQMP(c.paths(name).Monitor, 30*time.Second, alive)
	if err != nil {
		if alive() {
			proc.Process.Kill()
		}
		<-s.exited
		return nil, backend.OperationFailed("QEMU failed to start: %s", qemuError(logStart, err))
	}
	s.mon = mon
	if err := s.setup(paused); err != nil {
		proc.Process.Kill()
		<-s.exited
		return nil, err
	}
	return s, nil
}

// qemuError is the last line QEMU wrote to the log since offset, or err.
func qemuError(offset int64, err error) string {
	b := make([]byte, 4096)
	n, _ := os.Stderr.ReadAt(b, offset)
	var last string
	for _, line := range strings.Split(string(b[:n]), "\n") {
		if strings.Contains(line, "qemu-system") || strings.Contains(line, "qemu:") {
			last = line
		}
	}
	if last != "" {
		if i := strings.Index(last, "qemu-system"); i >= 0 {
			last = last[i:]
		}
		return strings.TrimSpace(last)
	}
	return fmt.Sprintf("no QMP connection: %v", err)
}

// setup finishes what needs QEMU running: the pty paths into the live
// XML, the balloon at currentMemory, then the CPUs.
func (s *supervisor) setup(paused bool) error {
	events, err := pumpEvents(s.mon)
	if err != nil {
		return backend.OperationFailed("cannot read QEMU's events: %v", err)
	}
	s.recordPtys()
	s.recordVNC()
	if err := s.initialBalloon(); err != nil {
		return err
	}
	if err := writeFile(s.c.liveXMLPath(s.name), mustMarshal(s.dom)); err != nil {
		return err
	}
	if paused {
		s.st.Reason = backend.PausedUser
		s.resumeReason = backend.RunningUnpaused
	} else {
		if _, err := runQMP(s.mon, "cont", nil); err != nil {
			return err
		}
		s.st.State, s.st.Reason = backend.DomainRunning, backend.RunningBooted
		if err := s.taps.cpusStarted(); err != nil {
			return err
		}
	}
	if err := s.c.writeStatus(s.name, s.st); err != nil {
		return err
	}
	go s.handleEvents(events)
	if s.st.Autodestroy > 0 {
		go s.watchAutodestroy(s.st.Autodestroy)
	}
	return nil
}

func mustMarshal(dom *libvirtxml.Domain) string {
	out, _ := dom.Marshal()
	return out
}

// recordPtys writes the pty paths QEMU chose into the live XML.
func (s *supervisor) recordPtys() {
	ret, err := runQMP(s.mon, "query-chardev", nil)
	if err != nil {
		return
	}
	var devs []struct {
		Label    string `json:"label"`
		Filename string `json:"filename"`
	}
	json.Unmarshal(ret, &devs)
	ptys := map[string]string{}
	for _, d := range devs {
		if p, ok := strings.CutPrefix(d.Filename, "pty:"); ok {
			ptys[d.Label] = p
		}
	}
	d := s.dom.Devices
	for i := range d.Serials {
		if p := ptys[fmt.Sprintf("charserial%d", i)]; p != "" {
			d.Serials[i].Source = &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{Path: p}}
		}
	}
	for i := range d.Consoles {
		c := &d.Consoles[i]
		id := fmt.Sprintf("charconsole%d", i)
		if c.Target == nil || c.Target.Type == "" || c.Target.Type == "serial" {
			id = "charserial0"
		}
		if p := ptys[id]; p != "" {
			c.Source = &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{Path: p}}
			c.TTY = p
		}
	}
}

func (s *supervisor) initialBalloon() error {
	if s.dom.Memory == nil || s.dom.CurrentMemory == nil || !hasBalloon(s.dom) {
		return nil
	}
	max, _ := argv.KiB(uint64(s.dom.Memory.Value), s.dom.Memory.Unit)
	cur, _ := argv.KiB(uint64(s.dom.CurrentMemory.Value), s.dom.CurrentMemory.Unit)
	if cur == 0 || cur >= max {
		return nil
	}
	_, err := runQMP(s.mon, "balloon", map[string]any{"value": cur * 1024})
	return err
}

func hasBalloon(dom *libvirtxml.Domain) bool {
	return dom.Devices == nil || dom.Devices.MemBalloon == nil || dom.Devices.MemBalloon.Model != "none"
}

// prepareNVRAM copies the UEFI variables template for a first boot.
func prepareNVRAM(cmd *argv.Command) error {
	if cmd.NVRAM == "" || fileExists(cmd.NVRAM) {
		return nil
	}
	b, err := os.ReadFile(cmd.NVRAMTemplate)
	if err != nil {
		return backend.OperationFailed("cannot read the UEFI variables template: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(cmd.NVRAM), 0o700); err != nil {
		return backend.OperationFailed("%v", err)
	}
	if err := fsutil.WriteAtomic(cmd.NVRAM, b, 0o600); err != nil {
		return backend.OperationFailed("cannot create %s: %v", cmd.NVRAM, err)
	}
	return nil
}

// setState records the domain's state and reason.
func (s *supervisor) setState(state backend.DomainState, reason int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setStateLocked(state, reason)
}

func (s *supervisor) setStateLocked(state backend.DomainState, reason int) {
	if s.exiting {
		return
	}
	s.st.State, s.st.Reason = state, reason
	if err := s.c.writeStatus(s.name, s.st); err != nil {
		logf("%v", err)
	}
}

func (s *supervisor) handleEvents(events <-chan qmp.Event) {
	for ev := range events {
		s.handleEvent(ev)
	}
}

// handleEvent applies QEMU's lifecycle events: with -no-shutdown a
// guest power-off stops QEMU, and the supervisor applies on_poweroff;
// a crash reported by pvpanic applies on_crash.
func (s *supervisor) handleEvent(ev qmp.Event) {
	logf("event %s %v", ev.Event, ev.Data)
	if ev.Event == "SHUTDOWN" || ev.Event == "RESET" {
		select {
		case s.powered <- struct{}{}:
		default:
		}
	}
	switch ev.Event {
	case "SHUTDOWN":
		reason, _ := ev.Data["reason"].(string)
		if strings.HasPrefix(reason, "host-") && reason != "host-qmp-system-reset" {
			return // QEMU is quitting because it was told to
		}
		s.mu.Lock()
		fake := s.fakeReboot
		s.fakeReboot = false
		s.mu.Unlock()
		switch {
		case fake:
			s.restart(backend.RunningBooted)
		case reason == "guest-reset": // a reboot under on_reboot=destroy (-no-reboot)
			s.quit(backend.ShutoffShutdown)
		default:
			s.apply(s.dom.OnPoweroff, backend.ShutoffShutdown, func() {
				s.setState(backend.DomainPaused, 8) // paused (shutting down)
			})
		}
	case "STOP":
		// Also when QEMU stopped the CPUs itself (HMP stop, an I/O
		// error): the state and the guest's FDB entries follow.
		s.mu.Lock()
		reason := s.pauseReason
		s.pauseReason = backend.ReasonUnknown
		if s.st.State != backend.DomainCrashed && s.st.State != backend.DomainPaused {
			s.setStateLocked(backend.DomainPaused, reason)
		}
		s.cpusLocked(s.taps.cpusStopped)
		s.mu.Unlock()
	case "RESUME":
		s.mu.Lock()
		reason := s.resumeReason
		s.resumeReason = backend.RunningUnpaused
		s.setStateLocked(backend.DomainRunning, reason)
		s.cpusLocked(s.taps.cpusStarted)
		s.mu.Unlock()
	case "GUEST_PANICKED":
		s.apply(s.dom.OnCrash, backend.ShutoffCrashed, func() {
			s.setState(backend.DomainCrashed, backend.CrashedPanicked)
		})
	case "VSERPORT_CHANGE":
		id, _ := ev.Data["id"].(string)
		open, _ := ev.Data["open"].(bool)
		if c := s.agentChardev(); c != nil && c.Alias == id {
			s.mu.Lock()
			s.agentOpen = open
			s.mu.Unlock()
		}
	case "DEVICE_DELETED":
		id, _ := ev.Data["device"].(string)
		s.mu.Lock()
		if ch, ok := s.unplugs[id]; ok {
			close(ch)
			delete(s.unplugs, id)
		}
		s.mu.Unlock()
	case "BALLOON_CHANGE":
		if actual, ok := ev.Data["actual"].(float64); ok {
			s.recordBalloon(uint64(actual) / 1024)
		}
	}
}

// cpusLocked tells the taps the CPUs stopped or started (s.mu held, so
// that it never runs once finish has begun unplugging them).
func (s *supervisor) cpusLocked(event func() error) {
	if s.exiting {
		return
	}
	if err := event(); err != nil {
		logf("%v", err)
	}
}

// apply runs a lifecycle action: destroy (QEMU quits, recording reason),
// restart (reset and run), or preserve.
func (s *supervisor) apply(action string, reason int, preserve func()) {
	switch action {
	case "restart":
		s.restart(backend.RunningBooted)
	case "preserve":
		preserve()
	default:
		s.quit(reason)
	}
}

func (s *supervisor) quit(reason int) {
	s.mu.Lock()
	s.stopReason = reason
	s.mu.Unlock()
	if _, err := runQMP(s.mon, "quit", nil); err != nil {
		s.qemu.Signal(syscall.SIGTERM)
	}
}

func (s *supervisor) restart(reason int) {
	s.mu.Lock()
	s.resumeReason = reason
	s.mu.Unlock()
	if _, err := runQMP(s.mon, "system_reset", nil); err != nil {
		logf("reset failed: %v", err)
	}
	if _, err := runQMP(s.mon, "cont", nil); err != nil {
		logf("cont failed: %v", err)
	}
}

// recordBalloon writes the balloon's size into the live XML as
// currentMemory, which dominfo reports as used memory.
func (s *supervisor) recordBalloon(kib uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dom.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(kib), Unit: "KiB"}
	if !s.exiting {
		writeFile(s.c.liveXMLPath(s.name), mustMarshal(s.dom))
	}
}

func (s *supervisor) watchAutodestroy(pid int) {
	for !processGone(pid) {
		select {
		case <-s.exited:
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	logf("the virtsh process %d that started '%s' with --autodestroy is gone: destroying", pid, s.name)
	s.handle(request{Op: opDestroy})
}

// serve answers control requests until QEMU exits, then cleans up.
func (s *supervisor) serve(ln net.Listener) {
	var wg sync.WaitGroup
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serveConn(conn)
			}()
		}
	}()
	<-s.exited
	ln.Close()
	s.finish()
	waitTimeout(&wg, 5*time.Second)
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(d):
	}
}

func (s *supervisor) serveConn(conn net.Conn) {
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return
	}
	var req request
	resp := response{}
	if err := json.Unmarshal(line, &req); err != nil {
		resp = errorResponse(backend.InvalidArgument("bad control request: %v", err))
	} else {
		resp = s.handle(req)
	}
	b, _ := json.Marshal(resp)
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	conn.Write(append(b, '\n'))
}

// handle carries out one control request.
func (s *supervisor) handle(req request) response {
	ret, err := s.do(req)
	if err != nil {
		return errorResponse(err)
	}
	return response{Return: ret}
}

func (s *supervisor) do(req request) (json.RawMessage, error) {
	switch req.Op {
	case opDestroy:
		return nil, s.destroy(req.Graceful)
	case opShutdown, opReboot:
		return nil, s.shutdown(req.Op == opReboot, req.Mode)
	case opReset:
		_, err := runQMP(s.mon, "system_reset", nil)
		return nil, err
	case opSuspend:
		s.mu.Lock()
		s.pauseReason = backend.PausedUser
		s.mu.Unlock()
		if _, err := runQMP(s.mon, "stop", nil); err != nil {
			return nil, err
		}
		s.setState(backend.DomainPaused, backend.PausedUser)
		return nil, s.taps.cpusStopped()
	case opResume:
		s.mu.Lock()
		s.resumeReason = backend.RunningUnpaused
		s.mu.Unlock()
		if _, err := runQMP(s.mon, "cont", nil); err != nil {
			return nil, err
		}
		s.setState(backend.DomainRunning, backend.RunningUnpaused)
		return nil, s.taps.cpusStarted()
	case opQMP:
		return runRawQMP(s.mon, req.Command)
	case opMonitor:
		return monitorCommand(s.mon, req)
	case opDeviceDel:
		return nil, s.deviceDel(req.Line, time.Duration(req.Timeout)*time.Second)
	case opPlugNIC:
		var p nicPlug
		if err := json.Unmarshal(req.Command, &p); err != nil {
			return nil, backend.InvalidArgument("bad interface plug request: %v", err)
		}
		return s.plugNIC(p)
	case opUnplugNIC:
		var u nicUnplug
		if err := json.Unmarshal(req.Command, &u); err != nil {
			return nil, backend.InvalidArgument("bad interface unplug request: %v", err)
		}
		return nil, s.unplugNIC(u, time.Duration(req.Timeout)*time.Second)
	case opAgent:
		path, err := s.agentSocket()
		if err != nil {
			return nil, err
		}
		ret, err := agentCommand(path, req.Command, agentWait(req), req.NoWait)
		if errors.Is(err, errNoReply) {
			err = backend.OperationFailed("guest agent is not responding: no answer within %v", agentWait(req))
		}
		return ret, err
	case opSetMem:
		if !hasBalloon(s.dom) {
			return nil, backend.ConfigUnsupported("the domain has no memory balloon (<memballoon model='none'/>)")
		}
		_, err := runQMP(s.mon, "balloon", map[string]any{"value": req.KiB * 1024})
		if err == nil {
			s.recordBalloon(req.KiB)
		}
		return nil, err
	}
	return nil, backend.InvalidArgument("unknown control operation '%s'", req.Op)
}

// deviceDel asks QEMU to unplug device id and waits until the guest has
// released it (DEVICE_DELETED) or wait has passed.
func (s *supervisor) deviceDel(id string, wait time.Duration) error {
	deleted := make(chan struct{})
	s.mu.Lock()
	if s.unplugs == nil {
		s.unplugs = map[string]chan struct{}{}
	}
	s.unplugs[id] = deleted
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.unplugs, id)
		s.mu.Unlock()
	}
	if _, err := runQMP(s.mon, "device_del", map[string]any{"id": id}); err != nil {
		forget()
		return err
	}
	select {
	case <-deleted:
		return nil
	case <-time.After(wait):
		forget()
		return backend.OperationFailed("the guest did not release device '%s' within %v: the unplug request stays pending (does the guest support ACPI PCI hot-plug?)", id, wait)
	case <-s.exited:
		forget()
		return backend.InvalidState("domain is not running")
	}
}

// destroy stops QEMU: SIGTERM, then SIGKILL after 10 s unless graceful.
func (s *supervisor) destroy(graceful bool) error {
	s.mu.Lock()
	s.stopReason = backend.ShutoffDestroyed
	s.mu.Unlock()
	s.qemu.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
	}
	if graceful {
		return backend.OperationFailed("QEMU did not exit within 10 s of SIGTERM; destroy without --graceful to kill it")
	}
	s.qemu.Signal(syscall.SIGKILL)
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
		return backend.OperationFailed("QEMU (pid %d) did not exit after SIGKILL", s.qemu.Pid())
	}
}

// shutdown asks the guest to power off (or reboot): through ACPI (the
// power button) or the guest agent.
func (s *supervisor) shutdown(reboot bool, mode string) error {
	switch mode {
	case "", "acpi":
		if reboot {
			s.mu.Lock()
			s.fakeReboot = true
			s.mu.Unlock()
		}
		_, err := runQMP(s.mon, "system_powerdown", nil)
		return err
	case "agent":
		m := "powerdown"
		if reboot {
			m = "reboot"
		}
		cmd, _ := json.Marshal(map[string]any{"execute": "guest-shutdown", "arguments": map[string]string{"mode": m}})
		path, err := s.agentSocket()
		if err != nil {
			return err
		}
		// guest-shutdown does not answer when it works: as libvirt, it is
		// done when QEMU reports the guest's power-off or reset.
		select {
		case <-s.powered:
		default:
		}
		answered := make(chan error, 1)
		go func() {
			_, err := agentCommand(path, cmd, agentDefaultTimeout, false)
			answered <- err
		}()
		select {
		case err := <-answered:
			if errors.Is(err, errNoReply) {
				err = nil
			}
			return err
		case <-s.powered:
			return nil
		}
	}
	return backend.InvalidArgument("shutdown mode '%s' is not supported; use acpi or agent", mode)
}

// agentChardev is the guest agent's channel, or nil.
func (s *supervisor) agentChardev() *argv.Chardev {
	for i, c := range s.cmd.Chardevs {
		if c.Name == "org.qemu.guest_agent.0" && c.Type == "unix" {
			return &s.cmd.Chardevs[i]
		}
	}
	return nil
}

// agentSocket is the path of the agent channel's socket ("" without
// one, which agentCommand reports). As libvirt, a command fails at once
// while the guest has not opened the port, rather than wait for an
// answer that cannot come.
func (s *supervisor) agentSocket() (string, error) {
	c := s.agentChardev()
	if c == nil {
		return "", nil
	}
	s.mu.Lock()
	open := s.agentOpen
	s.mu.Unlock()
	if !open {
		return "", backend.OperationFailed("guest agent is not responding: the guest has not opened its agent channel (is a guest agent running?)")
	}
	return c.Path, nil
}

// finish records why the domain stopped and releases what it held:
// taps (unplugged from their networks), sockets, the live XML. A
// transient domain leaves nothing.
func (s *supervisor) finish() {
	s.mu.Lock()
	s.exiting = true
	reason := s.stopReason
	if reason == 0 {
		reason = backend.ShutoffCrashed
	}
	st := s.st
	s.mu.Unlock()
	if s.mon != nil {
		s.mon.Disconnect()
	}
	cleanupRun(s.c, s.name, s.taps)
	if st.Transient {
		os.Remove(s.c.statusPath(s.name))
	} else {
		s.c.writeStatus(s.name, status{ID: -1, State: backend.DomainShutoff, Reason: reason})
	}
	logf("domain '%s' stopped: %s", s.name, backend.ReasonString(backend.DomainShutoff, reason))
	close(s.done)
}

// cleanupRun removes what a run left behind.
func cleanupRun(c *Conn, name string, taps *tapPorts) {
	taps.unplug()
	os.Remove(c.paths(name).Monitor)
	os.Remove(c.controlPath(name))
	os.Remove(c.liveXMLPath(name))
	os.RemoveAll(filepath.Join(c.dirs.Run, name))
}
