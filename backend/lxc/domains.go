package lxc

import (
	"context"
	"errors"
	"github.com/virtsh/virtsh/backend/store"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv"
	"libvirt.org/go/libvirtxml"
)

// domains is the LXC DomainService. Every operation that changes a domain
// holds the domain's lock (the definition store's); the controller only
// takes the short state lock, so an operation may wait for it.
type domains struct{ c *conn }

func (s *domains) files(name string) stateFiles { return stateFiles{run: s.c.dirs.Run, name: name} }

// domObj is what one domain is now: its definition (the live one when it
// runs), whether it is persistent, and its runtime state.
type domObj struct {
	def        *libvirtxml.Domain
	persistent bool
	st         runState
}

func (o *domObj) active() bool { return o.st.State.Active() }

func noDomain(name string) error {
	return backend.NoDomain("no domain with matching name '%s'", name)
}

// load reads a domain. A recorded running state whose init is gone (the
// controller was killed, or the host rebooted) reads as shut off.
// lockedLoad takes name's lock and loads it; the caller releases the lock.
func (s *domains) lockedLoad(name string) (*domObj, func(), error) {
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return nil, nil, noDomain(name)
	}
	o, err := s.load(name)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return o, unlock, nil
}

// cleanupWait bounds how long a lookup waits for a controller whose
// container's init has exited to record why and finish; the controller's
// cleanup is bounded itself (killAndRemove).
const cleanupWait = 10 * time.Second

func (s *domains) load(name string) (*domObj, error) {
	if backend.ValidateName("domain", name) != nil {
		return nil, noDomain(name)
	}
	cfg, persistent, err := s.c.defs.Read(name)
	if err != nil {
		return nil, err
	}
	st, err := s.files(name).readState()
	if err != nil {
		return nil, err
	}
	if st.State.Active() && !st.initAlive() && st.controllerAlive() {
		// The controller is cleaning up: its record of why is moments
		// away, but moments can be seconds on a loaded machine (2 s were
		// once too few in CI, for a container in a TCG guest).
		waitExit(st.ControllerPID, st.ControllerStart, cleanupWait)
		if st, err = s.files(name).readState(); err != nil {
			return nil, err
		}
	}
	if st.State.Active() && !st.initAlive() {
		st = runState{State: backend.DomainShutoff, Reason: backend.ReasonUnknown, Transient: st.Transient}
	}
	doc := cfg
	if st.State.Active() {
		if live, ok, err := s.c.live.Read(name); err == nil && ok {
			doc = live
		}
	}
	if doc == "" {
		return nil, noDomain(name)
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(doc); err != nil {
		return nil, backend.OperationFailed("corrupt definition of '%s': %v", name, err)
	}
	return &domObj{def: &d, persistent: persistent, st: st}, nil
}

func (s *domains) info(o *domObj) backend.DomainInfo {
	d := o.def
	info := backend.DomainInfo{
		Name: d.Name, UUID: d.UUID, ID: -1, OSType: "exe",
		State: o.st.State, Reason: o.st.Reason, VCPUs: vcpus(d),
		MaxMemKiB: maxMemKiB(d), MemKiB: curMemKiB(d),
		Persistent: o.persistent, Autostart: o.persistent && s.c.defs.Autostart(d.Name),
		Title: d.Title,
	}
	if o.active() {
		info.ID = o.st.ControllerPID
		if g := o.st.Cgroup; g != nil {
			info.CPUTime, _ = g.CPUTime()
			if used, err := g.MemoryUsage(); err == nil {
				info.MemKiB = used / 1024
			}
		}
	}
	return info
}

// names lists every domain: defined ones and running transient ones.
func (s *domains) names() ([]string, error) {
	defined, err := s.c.defs.Names()
	if err != nil {
		return nil, err
	}
	live, err := s.c.live.Names()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range append(defined, live...) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func (s *domains) List(context.Context) ([]backend.DomainInfo, error) {
	names, err := s.names()
	if err != nil {
		return nil, err
	}
	out := make([]backend.DomainInfo, 0, len(names))
	for _, n := range names {
		o, err := s.load(n)
		if errors.Is(err, backend.ErrNotFound) {
			continue // stopped meanwhile, or a transient leftover
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s.info(o))
	}
	return out, nil
}

func (s *domains) LookupByName(_ context.Context, name string) (backend.DomainInfo, error) {
	o, err := s.load(name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	return s.info(o), nil
}

func (s *domains) find(match func(backend.DomainInfo) bool, notFound error) (backend.DomainInfo, error) {
	all, err := s.List(context.Background())
	if err != nil {
		return backend.DomainInfo{}, err
	}
	for _, d := range all {
		if match(d) {
			return d, nil
		}
	}
	return backend.DomainInfo{}, notFound
}

func (s *domains) LookupByID(_ context.Context, id int) (backend.DomainInfo, error) {
	return s.find(func(d backend.DomainInfo) bool { return d.ID == id && d.ID > 0 },
		backend.NoDomain("no domain with matching id %d", id))
}

func (s *domains) LookupByUUID(_ context.Context, uuid string) (backend.DomainInfo, error) {
	return s.find(func(d backend.DomainInfo) bool { return strings.EqualFold(d.UUID, uuid) },
		backend.NoDomain("no domain with matching uuid '%s'", uuid))
}

// runningIdentities are the running containers' names and UUIDs, for the
// identity rules every driver shares (store.ClaimUUID).
func (s *domains) runningIdentities() ([]store.Identity, error) {
	names, err := s.c.live.Names()
	if err != nil {
		return nil, err
	}
	running := make([]store.Identity, 0, len(names))
	for _, n := range names {
		running = append(running, store.Identity{Name: n, UUID: s.c.live.DefinedUUID(n)})
	}
	return running, nil
}

// claim applies the shared identity rules to d (the caller holds its lock).
func (s *domains) claim(d *libvirtxml.Domain) error {
	running, err := s.runningIdentities()
	if err == nil {
		d.UUID, err = s.c.defs.ClaimUUID(d.Name, d.UUID, running)
	}
	return err
}

func (s *domains) Define(_ context.Context, doc string, _ backend.DefineOptions) (backend.DomainInfo, error) {
	d, err := parseDomain(doc)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	def, err := store.NewDefinition(d)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	if err := s.c.defs.DefineDomain(def, s.runningIdentities); err != nil {
		return backend.DomainInfo{}, err
	}
	return s.LookupByName(context.Background(), d.Name)
}

func (s *domains) Undefine(_ context.Context, name string, _ backend.UndefineOptions) error {
	o, unlock, err := s.lockedLoad(name)
	if err != nil {
		return err
	}
	defer unlock()
	if !o.persistent {
		return backend.InvalidState("cannot undefine transient domain")
	}
	files := s.files(name)
	if o.active() { // it keeps running as a transient domain
		if err := files.update(func(st *runState) error { st.Transient = true; return nil }); err != nil {
			return err
		}
	} else {
		files.remove()
	}
	return s.c.defs.Remove(name)
}

func (s *domains) Create(ctx context.Context, doc string, opts backend.StartOptions) (backend.DomainInfo, error) {
	d, err := parseDomain(doc)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	unlock, err := s.c.defs.Lock(d.Name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	defer unlock()
	if o, err := s.load(d.Name); err == nil && o.active() {
		return backend.DomainInfo{}, backend.OperationFailed("domain '%s' is already active", d.Name)
	}
	if err := s.claim(d); err != nil {
		return backend.DomainInfo{}, err
	}
	_, persistent, err := s.c.defs.Read(d.Name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	if err := s.start(ctx, d, !persistent, opts); err != nil {
		return backend.DomainInfo{}, err
	}
	return s.LookupByName(ctx, d.Name)
}

func (s *domains) Start(ctx context.Context, name string, opts backend.StartOptions) error {
	o, unlock, err := s.lockedLoad(name)
	if err != nil {
		return err
	}
	defer unlock()
	if o.active() {
		return backend.InvalidState("domain is already running")
	}
	if opts.Autodestroy {
		return backend.Unsupported("autodestroy needs a daemon that sees the connection close; virtsh has none")
	}
	return s.start(ctx, o.def, false, opts)
}

// startTimeout bounds how long start waits for the controller's answer.
const startTimeout = 60 * time.Second

// start launches the controller of d and waits until the container runs
// (or the controller says why it could not start it).
func (s *domains) start(ctx context.Context, d *libvirtxml.Domain, transient bool, opts backend.StartOptions) error {
	name := d.Name
	files := s.files(name)
	if err := s.reap(files); err != nil {
		return err
	}
	doc, err := store.MarshalDomain(d)
	if err != nil {
		return err
	}
	if err := s.c.live.Write(name, doc); err != nil {
		return err
	}
	if err := files.writeState(runState{State: backend.DomainShutoff, Transient: transient}); err != nil {
		return err
	}
	if err := s.spawnController(ctx, files); err != nil {
		return err
	}
	if opts.Paused {
		return s.freeze(files)
	}
	return nil
}

// spawnController re-executes virtsh as the controller, detached in its
// own session with its output in the domain's log, and reads its answer.
func (s *domains) spawnController(ctx context.Context, files stateFiles) error {
	self, err := os.Executable()
	if err != nil {
		return backend.OperationFailed("cannot find the virtsh executable: %v", err)
	}
	logPath := files.log(s.c.dirs.Log)
	logf, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return backend.OperationFailed("cannot open the container log: %v", err)
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	defer r.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	defer null.Close()
	pid, err := startProcess(self, []string{self, controllerHelper, files.name}, append(os.Environ(), helperEnv),
		[]*os.File{null, logf, logf, w}, &syscall.SysProcAttr{Setsid: true})
	w.Close()
	if err != nil {
		return backend.OperationFailed("cannot start the controller of '%s': %v", files.name, err)
	}
	go waitChild(pid) // reap it if this process lives on (the shell)
	deadline := time.Now().Add(startTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	r.SetReadDeadline(deadline)
	answer, err := io.ReadAll(r)
	switch {
	case err != nil:
		return backend.OperationFailed("the controller of '%s' did not answer in time (see %s): %v", files.name, logPath, err)
	case string(answer) == "ok":
		return nil
	case len(answer) == 0:
		return backend.OperationFailed("the controller of '%s' exited without starting it (see %s)", files.name, logPath)
	}
	return backend.OperationFailed("cannot start container '%s': %s", files.name, answer)
}

// reap cleans up after a container whose init and controller are gone
// without recording it (a killed controller), and waits for a controller
// that is still finishing.
func (s *domains) reap(files stateFiles) error {
	st, err := files.readState()
	if err != nil || !st.State.Active() || st.initAlive() {
		return err
	}
	if st.controllerAlive() && waitExit(st.ControllerPID, st.ControllerStart, 5*time.Second) {
		return nil
	}
	s.cleanup(files, st, backend.ReasonUnknown)
	return nil
}

// cleanup does what a dead controller did not: it releases the cgroup,
// ports (from the network driver's records), root mount point and
// console socket, and records the state.
func (s *domains) cleanup(files stateFiles, st runState, reason int) {
	if st.Cgroup != nil {
		killAndRemove(st.Cgroup)
	}
	for _, v := range st.Veths {
		s.c.nets.UnplugRecorded(context.Background(), v)
	}
	if st.Staging != "" {
		os.Remove(st.Staging)
	}
	if st.ConsoleSocket != "" {
		os.Remove(st.ConsoleSocket)
	}
	shutOff(files, s.c.live, reason)
}

// running loads a domain that must be active.
func (s *domains) running(name string) (*domObj, error) {
	o, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if !o.active() {
		return nil, backend.InvalidState("domain is not running")
	}
	return o, nil
}

// withLock runs fn on an active domain under its lock.
func (s *domains) withLock(name string, fn func(*domObj) error) error {
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return noDomain(name)
	}
	defer unlock()
	o, err := s.running(name)
	if err != nil {
		return err
	}
	return fn(o)
}

// signalModes checks shutdown and reboot modes: containers know only
// signals (libvirt's initctl mode needs /dev/initctl in the container).
func signalModes(modes []string) error {
	for _, m := range modes {
		if m != "signal" && m != "" {
			return backend.Unsupported("mode '%s' is not supported by lxc:///system; use --mode signal", m)
		}
	}
	return nil
}

// Shutdown asks init to stop with SIGTERM, as libvirt does.
func (s *domains) Shutdown(_ context.Context, name string, opts backend.ShutdownOptions) error {
	if err := signalModes(opts.Modes); err != nil {
		return err
	}
	return s.withLock(name, func(o *domObj) error { return o.st.signalInit(syscall.SIGTERM) })
}

// Reboot asks init to reboot with SIGHUP, as libvirt does; the controller
// restarts the container when init dies of SIGHUP (reboot(2) in a pid
// namespace).
func (s *domains) Reboot(_ context.Context, name string, opts backend.ShutdownOptions) error {
	if err := signalModes(opts.Modes); err != nil {
		return err
	}
	return s.withLock(name, func(o *domObj) error { return o.st.signalInit(syscall.SIGHUP) })
}

// stopTimeout bounds how long destroy waits for the container to die.
const stopTimeout = 10 * time.Second

func (s *domains) Destroy(_ context.Context, name string, opts backend.DestroyOptions) error {
	return s.withLock(name, func(o *domObj) error {
		files := s.files(name)
		if err := files.update(func(st *runState) error { st.Destroying = true; return nil }); err != nil {
			return err
		}
		st := o.st
		if opts.Graceful {
			if err := st.signalInit(syscall.SIGTERM); err != nil {
				return err
			}
			if !waitExit(st.InitPID, st.InitStart, stopTimeout) {
				files.update(func(st *runState) error { st.Destroying = false; return nil })
				return backend.OperationFailed("container '%s' did not stop within %v of SIGTERM; destroy it without --graceful", name, stopTimeout)
			}
		} else {
			if st.Cgroup != nil {
				st.Cgroup.Thaw() // a frozen init would not die
			}
			if err := st.signalInit(syscall.SIGKILL); err != nil {
				return err
			}
		}
		// The controller tears the container down when init dies and
		// records that it stopped. One that is gone (killed) leaves the
		// cleanup to us, from the recorded state.
		waitExit(st.ControllerPID, st.ControllerStart, stopTimeout)
		if now, err := files.readState(); err == nil && !now.State.Active() {
			return nil
		}
		s.cleanup(files, st, backend.ShutoffDestroyed)
		return nil
	})
}

func (s *domains) Reset(context.Context, string) error {
	return backend.Unsupported("containers cannot be reset; use reboot, or destroy and start")
}

func (s *domains) freeze(files stateFiles) error {
	st, err := files.readState()
	if err != nil {
		return err
	}
	if st.Cgroup == nil {
		return backend.OperationFailed("no cgroup recorded for '%s'", files.name)
	}
	if err := st.Cgroup.Freeze(); err != nil {
		return backend.OperationFailed("cannot freeze the container: %v", err)
	}
	err = files.update(func(st *runState) error {
		st.State, st.Reason = backend.DomainPaused, backend.PausedUser
		return nil
	})
	return errors.Join(err, s.cpus(st, (*netdrv.Port).CPUsStopped))
}

// cpus tells the container's ports that its CPUs stopped or started
// (their FDB entries, for macTableManager='libvirt'), from the network
// driver's records.
func (s *domains) cpus(st runState, event func(*netdrv.Port) error) error {
	var errs []error
	for _, dev := range st.Veths {
		port, err := s.c.nets.LoadPort(dev)
		if err == nil {
			err = event(port)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Suspend freezes every process of the container (freezer cgroup).
func (s *domains) Suspend(_ context.Context, name string) error {
	return s.withLock(name, func(o *domObj) error {
		if o.st.State == backend.DomainPaused {
			return nil
		}
		return s.freeze(s.files(name))
	})
}

// Resume thaws the container.
func (s *domains) Resume(_ context.Context, name string) error {
	return s.withLock(name, func(o *domObj) error {
		if o.st.State != backend.DomainPaused {
			return nil
		}
		if err := o.st.Cgroup.Thaw(); err != nil {
			return backend.OperationFailed("cannot thaw the container: %v", err)
		}
		err := s.files(name).update(func(st *runState) error {
			st.State, st.Reason = backend.DomainRunning, backend.RunningUnpaused
			return nil
		})
		return errors.Join(err, s.cpus(o.st, (*netdrv.Port).CPUsStarted))
	})
}

func (s *domains) XML(_ context.Context, name string, opts backend.XMLOptions) (string, error) {
	o, err := s.load(name)
	if err != nil {
		return "", err
	}
	if opts.Inactive && o.persistent {
		cfg, _, err := s.c.defs.Read(name)
		return cfg, err
	}
	return store.MarshalDomain(o.def)
}

func (s *domains) SetAutostart(_ context.Context, name string, on bool) error {
	o, unlock, err := s.lockedLoad(name)
	if err != nil {
		return err
	}
	defer unlock()
	if !o.persistent {
		return backend.InvalidState("cannot set autostart for transient domain")
	}
	return s.c.defs.SetAutostart(name, on)
}

// waitExit waits until the process pid (started at start) has exited,
// and says whether it did within timeout.
func waitExit(pid int, start uint64, timeout time.Duration) bool {
	fd, err := pidfdOpen(pid)
	if err != nil {
		return !alive(pid, start)
	}
	defer syscall.Close(fd)
	if now := startTime(pid); now != 0 && now != start { // the pid was reused before we opened it
		return true
	}
	// An exited process (a zombie reads as start time 0) makes the
	// pidfd readable at once.
	return pollPidfd(fd, timeout) || !alive(pid, start)
}
