package lxc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/virtsh/virtsh/backend/store"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/lxc/cgroup"
	"github.com/virtsh/virtsh/backend/netdrv"
	"libvirt.org/go/libvirtxml"
)

// The controller is a container's supervisor, like libvirt's libvirt_lxc:
// `virtsh start` re-executes virtsh in this hidden mode, detached, and it
// outlives the command. It owns the console pty and serves it, places the
// container in its cgroups, plugs its interfaces (ports of the network
// driver), starts the container's
// first process in new namespaces, records the runtime state, waits for
// init, restarts the container when init asks for a reboot (it dies of
// SIGHUP, as reboot(2) makes a pid namespace's init do), and cleans up
// (cgroups, ports, staging mount point, state) when init exits.

const controllerHelper = "__lxc-controller"

func init() {
	backend.RegisterHelper(controllerHelper, runController)
}

type controller struct {
	name  string
	dirs  fsutil.Dirs
	files stateFiles
	dom   *libvirtxml.Domain
	host  *cgroup.Host

	pty, ptySlave *os.File
	ptyPath       string
	console       *consoleServer
	nets          *netdrv.Driver // when the container has interfaces

	// the running instance
	initPID   int    // until it is reaped
	initStart uint64 // its start time, read before it may execute init
	group     *cgroup.Group
	ports     []*netdrv.Port
}

// runController is `virtsh __lxc-controller NAME`; fd 3 is the pipe on
// which it reports "ok" or why the start failed.
func runController(args []string) int {
	ready := os.NewFile(3, "ready pipe")
	if len(args) != 1 {
		fmt.Fprintf(ready, "usage: %s NAME", controllerHelper)
		return 2
	}
	// Caught, not ignored: an ignored signal stays ignored in the
	// container's init, and a shell cannot trap it then.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	dirs := fsutil.DirsFor("lxc", true)
	c := &controller{name: args[0], dirs: dirs, files: stateFiles{run: dirs.Run, name: args[0]}}
	if err := c.start(); err != nil {
		log.Printf("%s: start failed: %v", c.name, err)
		c.teardown()
		c.finish(backend.ShutoffFailed)
		fmt.Fprintf(ready, "%v", err)
		return 1
	}
	io.WriteString(ready, "ok")
	ready.Close()
	c.finish(c.supervise())
	return 0
}

// start prepares what lives as long as the controller (the console) and
// boots the first instance.
func (c *controller) start() error {
	if err := c.loadLive(); err != nil {
		return err
	}
	var err error
	if c.host, err = cgroup.Detect(); err != nil {
		return err
	}
	if c.pty, c.ptyPath, err = openPTY(); err != nil {
		return err
	}
	// Holding the slave open keeps the console readable while no
	// container process has it open (between reboots).
	if c.ptySlave, err = os.OpenFile(c.ptyPath, os.O_RDWR|syscall.O_NOCTTY, 0); err != nil {
		return fmt.Errorf("cannot open the console pty: %v", err)
	}
	if c.console, err = serveConsole(c.pty, c.files.consoleSocket()); err != nil {
		return err
	}
	return c.boot()
}

// loadLive reads the live XML, which start wrote from a checked
// definition with defaults filled (checking it again would triple the
// controller's XML work) and hot-plug keeps current: a reboot plugs the
// interfaces the container has then.
func (c *controller) loadLive() error {
	live, err := liveStore(c.dirs)
	if err != nil {
		return err
	}
	doc, ok, err := live.Read(c.name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no live definition of '%s' in %s", c.name, c.dirs.Run)
	}
	c.dom = &libvirtxml.Domain{}
	if err := c.dom.Unmarshal(doc); err != nil {
		return fmt.Errorf("corrupt live definition of '%s': %v", c.name, err)
	}
	if c.dom.Devices != nil {
		forgetGeneratedTargets(c.dom) // a reboot's veths get free names
	}
	return nil
}

// network is the network driver, opened when the container first has
// an interface to plug or unplug.
func (c *controller) network() (*netdrv.Driver, error) {
	if c.nets == nil {
		nets, err := netdrv.System()
		if err != nil {
			return nil, err
		}
		c.nets = nets
	}
	return c.nets, nil
}

// resources are the container's cgroup limits (libvirt's lxc_cgroup.c).
func resources(d *libvirtxml.Domain) cgroup.Resources {
	r := cgroup.Resources{MemoryBytes: maxMemKiB(d) * 1024, Devices: deviceRules}
	if t := d.CPUTune; t != nil {
		if t.Shares != nil {
			r.CPUShares = uint64(t.Shares.Value)
		}
		if t.Period != nil {
			r.CPUPeriodUS = t.Period.Value
		}
		if t.Quota != nil {
			r.CPUQuotaUS = t.Quota.Value
		}
	}
	return r
}

// deviceRules allow the nodes of the container's /dev, its ptys (major
// 136, which includes the console) and mknod of anything.
var deviceRules = func() []string {
	rules := []string{"c *:* m", "b *:* m", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"}
	for _, n := range devNodes {
		rules = append(rules, fmt.Sprintf("c %d:%d rwm", n.major, n.minor))
	}
	return rules
}()

// goByte, after the spec, lets the container's first process execute init.
const goByte = "g"

// boot starts one instance of the container.
func (c *controller) boot() (err error) {
	disks, err := diskNodes(c.dom)
	if err != nil {
		return err
	}
	res := resources(c.dom)
	res.Devices = slices.Clip(res.Devices) // appends copy the shared rules
	for _, n := range disks {
		res.Devices = append(res.Devices, n.rule())
	}
	if c.group, err = c.host.Create(c.name, res); err != nil {
		return err
	}
	staging := c.files.staging()
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return fmt.Errorf("cannot create the root mount point: %v", err)
	}
	specR, specW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer specW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		specR.Close()
		return err
	}
	defer errR.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	sys := c.sysProcAttr()
	var pid int
	err = c.host.Start(c.group, sys, nil, func() (err error) {
		pid, err = startProcess(self, []string{self, initHelper}, []string{helperEnv},
			[]*os.File{c.ptySlave, c.ptySlave, c.ptySlave, specR, errW}, sys)
		return err
	})
	specR.Close()
	errW.Close()
	if err != nil {
		return fmt.Errorf("cannot start the container: %v", err)
	}
	// Its start time is read now: while a Go program executes another
	// from a thread other than its first, /proc shows the process as a
	// zombie for a moment, and init's start time would read as 0 (dead).
	c.initPID, c.initStart = pid, startTime(pid)
	// The child, born in the container's cgroups, assembles its root while
	// the controller plugs its interfaces; it executes init only after the
	// final "go".
	spec := buildSpec(c.dom, staging, c.ptyPath)
	spec.Disks = disks
	specJSON, _ := json.Marshal(spec)
	if _, err := specW.Write(append(specJSON, '\n')); err != nil {
		return fmt.Errorf("cannot pass the spec to the container: %v", err)
	}
	if err := c.plugInterfaces(pid); err != nil {
		return err
	}
	_, goErr := specW.Write([]byte(goByte))
	specW.Close()
	// Recorded while the first process still assembles the root (its pid
	// and start time stay those of init, which it executes); a failure
	// below records the shut-off state over it.
	recordErr := c.record()
	msg, _ := io.ReadAll(errR) // EOF: init was executed
	if len(msg) > 0 {
		return errors.New(string(msg))
	}
	if goErr != nil {
		return fmt.Errorf("the container's first process ended before starting init: %v", goErr)
	}
	return recordErr
}

func (c *controller) sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWNET,
		Setsid:     true,
		Setctty:    true,
		Ctty:       0,
	}
	if m := c.dom.IDMap; m != nil {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		for _, r := range m.UIDs {
			attr.UidMappings = append(attr.UidMappings, syscall.SysProcIDMap{ContainerID: int(r.Start), HostID: int(r.Target), Size: int(r.Count)})
		}
		for _, r := range m.GIDs {
			attr.GidMappings = append(attr.GidMappings, syscall.SysProcIDMap{ContainerID: int(r.Start), HostID: int(r.Target), Size: int(r.Count)})
		}
		attr.GidMappingsEnableSetgroups = true
		// Become the container's root once the maps are written: the
		// caller's host uid is not mapped, and an unmapped process execs
		// without capabilities in the new namespaces.
		attr.Credential = &syscall.Credential{Uid: 0, Gid: 0}
	}
	return attr
}

// plugInterfaces plugs the interfaces of the container whose first
// process is pid, configures them inside, and adds their FDB entries: its
// CPUs are about to run.
func (c *controller) plugInterfaces(pid int) error {
	if len(c.dom.Devices.Interfaces) == 0 {
		return nil
	}
	nets, err := c.network()
	if err != nil {
		return err
	}
	ctx := context.Background()
	for i := range c.dom.Devices.Interfaces {
		port, err := plugInterface(ctx, nets, c.dom, pid, i)
		if err != nil {
			return err
		}
		c.ports = append(c.ports, port)
	}
	if len(c.ports) == 0 {
		return nil
	}
	if err := configureGuest(pid, c.dom.Devices.Interfaces); err != nil {
		return err
	}
	for _, p := range c.ports {
		if err := p.CPUsStarted(); err != nil {
			return err
		}
	}
	return nil
}

// devices are the host ends of the plugged interfaces.
func (c *controller) devices() []string {
	var out []string
	for _, p := range c.ports {
		out = append(out, p.Device)
	}
	return out
}

// record writes the runtime state and live XML of a running instance.
func (c *controller) record() error {
	err := c.files.update(func(st *runState) error {
		*st = runState{
			State: backend.DomainRunning, Reason: backend.RunningBooted,
			ControllerPID: os.Getpid(), ControllerStart: startTime(os.Getpid()),
			InitPID: c.initPID, InitStart: c.initStart,
			Console: c.ptyPath, ConsoleSocket: c.files.consoleSocket(), Staging: c.files.staging(),
			Cgroup: c.group, Veths: c.devices(), Transient: st.Transient,
		}
		return nil
	})
	if err != nil {
		return err
	}
	d := *c.dom
	d.ID = new(int)
	*d.ID = os.Getpid()
	devs := *d.Devices
	d.Devices = &devs
	devs.Consoles = append([]libvirtxml.DomainConsole(nil), devs.Consoles...)
	devs.Consoles[0].TTY = c.ptyPath
	devs.Consoles[0].Source = &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{Path: c.ptyPath}}
	devs.Interfaces = append([]libvirtxml.DomainInterface(nil), devs.Interfaces...)
	for i, p := range c.ports {
		devs.Interfaces[i].Target = &libvirtxml.DomainInterfaceTarget{Dev: p.Device}
	}
	live, err := liveStore(c.dirs)
	if err != nil {
		return err
	}
	doc, err := store.MarshalDomain(&d)
	if err != nil {
		return err
	}
	return live.Write(c.name, doc)
}

// supervise waits for init, reboots when it asks to, and returns the
// shut-off reason.
func (c *controller) supervise() int {
	for {
		status, err := waitChild(c.initPID)
		c.initPID = 0
		if err != nil {
			log.Printf("%s: cannot wait for init: %v", c.name, err)
		} else {
			log.Printf("%s: init exited with status %d", c.name, exitStatus(status))
		}
		c.teardown()
		st, _ := c.files.readState()
		switch {
		case st.Destroying:
			return backend.ShutoffDestroyed
		case status.Signaled() && status.Signal() == syscall.SIGHUP:
			err := c.loadLive()
			if err == nil {
				err = c.boot()
			}
			if err != nil {
				log.Printf("%s: reboot failed: %v", c.name, err)
				c.teardown()
				return backend.ShutoffFailed
			}
		case status.Signaled():
			return backend.ShutoffCrashed
		default:
			return backend.ShutoffShutdown
		}
	}
}

// teardown releases what one instance used: its processes, cgroup, ports
// and root mount point.
func (c *controller) teardown() {
	if c.initPID != 0 {
		syscall.Kill(c.initPID, syscall.SIGKILL)
		waitChild(c.initPID)
		c.initPID = 0
	}
	c.unplugAll()
	if c.group != nil {
		if err := killAndRemove(c.group); err != nil {
			log.Printf("%s: %v", c.name, err)
		}
		c.group = nil
	}
	os.Remove(c.files.staging())
}

// unplugAll unplugs the instance's ports: those it plugged at boot and
// those hot-plug added since, found by their owner's UUID in the port
// records. A name alone would not do: a port detached live is gone from
// the records, and its veth name may belong to another container by now.
func (c *controller) unplugAll() {
	plugged := len(c.ports) > 0
	c.ports = nil
	if st, err := c.files.readState(); err == nil && len(st.Veths) > 0 {
		plugged = true
	}
	if !plugged {
		return // no network driver to open
	}
	nets, err := c.network()
	if err == nil {
		err = nets.UnplugOwned(context.Background(), c.dom.UUID)
	}
	if err != nil {
		log.Printf("%s: cannot unplug its interfaces: %v", c.name, err)
	}
}

// killAndRemove kills what is left in a group (nothing, normally: a pid
// namespace dies with its init) and removes it.
func killAndRemove(g *cgroup.Group) error {
	g.Thaw() // frozen processes cannot die
	for i := 0; i < 100; i++ {
		procs, err := g.Processes()
		if err != nil || len(procs) == 0 {
			break
		}
		for _, p := range procs {
			syscall.Kill(p, syscall.SIGKILL)
		}
		sleepBriefly()
	}
	return g.Remove()
}

// finish records the final state and releases the console.
func (c *controller) finish(reason int) {
	if c.console != nil {
		c.console.Close()
		os.Remove(c.files.consoleSocket())
	}
	if live, err := liveStore(c.dirs); err == nil {
		shutOff(c.files, live, reason)
	}
}

// shutOff records that a domain stopped: a transient domain disappears,
// a persistent one keeps its state (shut off, reason) and loses its live
// XML.
func shutOff(files stateFiles, live liveDefs, reason int) {
	files.update(func(st *runState) error {
		transient := st.Transient
		*st = runState{State: backend.DomainShutoff, Reason: reason, Transient: transient}
		return nil
	})
	live.Remove(files.name)
	if st, _ := files.readState(); st.Transient {
		files.remove()
	}
}
