// Package netdrv is virtsh's network driver: libvirt's virtual networks
// (nat, route, open, isolated, and host bridges) built directly with
// netlink, nftables and dnsmasq (specs/network.md), and the port API the
// hypervisor drivers use to plug guests into them. Like libvirt's network
// driver it is shared by every hypervisor driver: its state lives in
// fsutil.DirsFor("network", true). It acts in the calling process's
// network namespace.
package netdrv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv/dnsmasq"
	"github.com/virtsh/virtsh/backend/store"
	"libvirt.org/go/libvirtxml"
)

// Driver manages the virtual networks of one state root. It implements
// backend.NetworkService and the optional capabilities of network_ext.go.
type Driver struct {
	dirs fsutil.Dirs
	defs *store.Store // persistent definitions (Config)
	live *store.Store // definitions of active networks (Run)
}

// System returns the driver over the system state directories (under
// $VIRTSH_ROOT when set): the one every hypervisor driver shares.
func System() (*Driver, error) { return New(fsutil.DirsFor("network", true)) }

// New returns the driver whose state lives in dirs.
func New(dirs fsutil.Dirs) (*Driver, error) {
	if err := dirs.Create(); err != nil {
		return nil, backend.OperationFailed("cannot create the network driver's directories: %v", err)
	}
	for _, d := range []string{dnsmasqDir(dirs), portsDir(dirs)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, backend.OperationFailed("cannot create %s: %v", d, err)
		}
	}
	defs, err := store.New("network", dirs.Config, dirs.Run)
	if err != nil {
		return nil, err
	}
	live, err := store.New("network", filepath.Join(dirs.Run, "live"), dirs.Run)
	if err != nil {
		return nil, err
	}
	return &Driver{dirs: dirs, defs: defs, live: live}, nil
}

func dnsmasqDir(d fsutil.Dirs) string { return filepath.Join(d.Lib, "dnsmasq") }
func portsDir(d fsutil.Dirs) string   { return filepath.Join(d.Run, "ports") }

func (d *Driver) dnsmasqFiles(name string) dnsmasq.Files {
	return dnsmasq.FilesFor(dnsmasqDir(d.dirs), name)
}

// lockAll serialises the changes that look at every network: defining
// (name, UUID and bridge uniqueness) and starting (bridge names).
func (d *Driver) lockAll() (func(), error) {
	unlock, err := fsutil.Lock(filepath.Join(d.dirs.Run, "driver.lock"))
	if err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	return unlock, nil
}

// object is one network as the files describe it.
type object struct {
	def        *libvirtxml.Network // live definition when active, else persistent
	active     bool
	persistent bool
	autostart  bool
}

func (o object) info() backend.NetworkInfo {
	info := backend.NetworkInfo{Name: o.def.Name, UUID: o.def.UUID, Active: o.active, Persistent: o.persistent, Autostart: o.autostart}
	if o.def.Bridge != nil {
		info.Bridge = o.def.Bridge.Name
	}
	return info
}

// load reads network name; ok is false when there is none.
func (d *Driver) load(name string) (o object, ok bool, err error) {
	liveXML, active, err := d.live.Read(name)
	if err != nil {
		return o, false, err
	}
	cfgXML, persistent, err := d.defs.Read(name)
	if err != nil || (!active && !persistent) {
		return o, false, err
	}
	doc := cfgXML
	if active {
		doc = liveXML
	}
	def := &libvirtxml.Network{}
	if err := def.Unmarshal(doc); err != nil {
		return o, false, backend.Internal("corrupt definition of network '%s': %v", name, err)
	}
	return object{def: def, active: active, persistent: persistent, autostart: persistent && d.defs.Autostart(name)}, true, nil
}

// lockedGet takes name's lock and gets it; the caller releases the lock.
func (d *Driver) lockedGet(name string) (object, func(), error) {
	unlock, err := d.defs.Lock(name)
	if err != nil {
		return object{}, nil, err
	}
	o, err := d.get(name)
	if err != nil {
		unlock()
		return object{}, nil, err
	}
	return o, unlock, nil
}

// get is load with libvirt's not-found error.
func (d *Driver) get(name string) (object, error) {
	o, ok, err := d.load(name)
	if err == nil && !ok {
		err = backend.NoNetwork("no network with matching name '%s'", name)
	}
	return o, err
}

// names lists every network, active or defined.
func (d *Driver) names() ([]string, error) {
	cfg, err := d.defs.Names()
	if err != nil {
		return nil, err
	}
	live, err := d.live.Names()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range append(cfg, live...) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func (d *Driver) all() ([]object, error) {
	names, err := d.names()
	if err != nil {
		return nil, err
	}
	var out []object
	for _, n := range names {
		if o, ok, err := d.load(n); err == nil && ok {
			out = append(out, o)
		}
	}
	return out, nil
}

func (d *Driver) List(context.Context) ([]backend.NetworkInfo, error) {
	objs, err := d.all()
	if err != nil {
		return nil, err
	}
	out := make([]backend.NetworkInfo, len(objs))
	for i, o := range objs {
		out[i] = o.info()
	}
	return out, nil
}

func (d *Driver) LookupByName(_ context.Context, name string) (backend.NetworkInfo, error) {
	if backend.ValidateName("network", name) != nil {
		return backend.NetworkInfo{}, backend.NoNetwork("no network with matching name '%s'", name)
	}
	o, err := d.get(name)
	if err != nil {
		return backend.NetworkInfo{}, err
	}
	return o.info(), nil
}

func (d *Driver) LookupByUUID(_ context.Context, uuid string) (backend.NetworkInfo, error) {
	objs, err := d.all()
	if err != nil {
		return backend.NetworkInfo{}, err
	}
	for _, o := range objs {
		if sameUUID(o.def.UUID, uuid) {
			return o.info(), nil
		}
	}
	return backend.NetworkInfo{}, backend.NoNetwork("no network with matching uuid '%s'", uuid)
}

func sameUUID(a, b string) bool {
	return strings.EqualFold(strings.ReplaceAll(a, "-", ""), strings.ReplaceAll(b, "-", ""))
}

// admit parses a network definition and, with every network and this one
// locked, checks that its name, UUID and bridge are its own. The caller
// calls unlock when done.
func (d *Driver) admit(doc string) (def *libvirtxml.Network, unlock func(), err error) {
	if def, err = parseDef(doc); err != nil {
		return nil, nil, err
	}
	unlockAll, err := d.lockAll()
	if err != nil {
		return nil, nil, err
	}
	unlockOne, err := d.defs.Lock(def.Name)
	if err != nil {
		unlockAll()
		return nil, nil, err
	}
	unlock = func() { unlockOne(); unlockAll() }
	if err := d.checkUnique(def); err != nil {
		unlock()
		return nil, nil, err
	}
	return def, unlock, nil
}

// Define stores a persistent definition, new or replacing one; a running
// network keeps its live definition until it stops.
func (d *Driver) Define(_ context.Context, doc string, _ backend.DefineOptions) (backend.NetworkInfo, error) {
	def, unlock, err := d.admit(doc)
	if err != nil {
		return backend.NetworkInfo{}, err
	}
	defer unlock()
	if err := d.assignBridge(def); err != nil {
		return backend.NetworkInfo{}, err
	}
	s, err := formatDef(def)
	if err != nil {
		return backend.NetworkInfo{}, err
	}
	if err := d.defs.Write(def.Name, s); err != nil {
		return backend.NetworkInfo{}, err
	}
	o, err := d.get(def.Name)
	return o.info(), err
}

// Create starts a transient network from XML.
func (d *Driver) Create(ctx context.Context, doc string, _ backend.DefineOptions) (backend.NetworkInfo, error) {
	def, unlock, err := d.admit(doc)
	if err != nil {
		return backend.NetworkInfo{}, err
	}
	defer unlock()
	if o, ok, err := d.load(def.Name); err != nil {
		return backend.NetworkInfo{}, err
	} else if ok && o.active {
		return backend.NetworkInfo{}, backend.InvalidState("network is already active as '%s'", def.Name)
	}
	if err := d.assignBridge(def); err != nil {
		return backend.NetworkInfo{}, err
	}
	if err := d.start(ctx, def); err != nil {
		return backend.NetworkInfo{}, err
	}
	o, err := d.get(def.Name)
	return o.info(), err
}

// checkUnique refuses a definition whose name or UUID belongs to another
// network (virNetworkObjAssignDef), or whose bridge another network uses.
func (d *Driver) checkUnique(def *libvirtxml.Network) error {
	objs, err := d.all()
	if err != nil {
		return err
	}
	for _, o := range objs {
		switch {
		case sameUUID(o.def.UUID, def.UUID) && o.def.Name != def.Name:
			return backend.OperationFailed("network '%s' is already defined with uuid %s", o.def.Name, def.UUID)
		case o.def.Name == def.Name && !sameUUID(o.def.UUID, def.UUID):
			return backend.OperationFailed("network '%s' already exists with uuid %s", def.Name, o.def.UUID)
		case o.def.Name != def.Name && def.Bridge != nil && def.Bridge.Name != "" && o.def.Bridge != nil &&
			o.def.Bridge.Name == def.Bridge.Name && forwardMode(def) != modeBridge:
			return backend.InvalidArgument("bridge name '%s' already in use.", def.Bridge.Name)
		}
	}
	return nil
}

// assignBridge gives a network without a bridge name the first virbrN
// that no other network and no existing link uses (networkBridgeNameValidate).
func (d *Driver) assignBridge(def *libvirtxml.Network) error {
	if def.Bridge == nil || def.Bridge.Name != "" {
		return nil
	}
	objs, err := d.all()
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, o := range objs {
		if o.def.Bridge != nil && o.def.Name != def.Name {
			used[o.def.Bridge.Name] = true
		}
	}
	name, err := freeLinkName("virbr%d", func(n string) bool { return used[n] })
	if err != nil {
		return backend.Internal("%v", err)
	}
	def.Bridge.Name = name
	return nil
}

func (d *Driver) Undefine(_ context.Context, name string) error {
	o, unlock, err := d.lockedGet(name)
	if err != nil {
		return err
	}
	defer unlock()
	if !o.persistent {
		return backend.OperationFailed("network '%s' is not persistent", name)
	}
	if err := d.defs.Remove(name); err != nil {
		return err
	}
	if !o.active {
		d.removeDnsmasqFiles(name)
	}
	return nil
}

func (d *Driver) removeDnsmasqFiles(name string) {
	for _, f := range d.dnsmasqFiles(name).All() {
		os.Remove(f)
	}
}

func (d *Driver) SetAutostart(_ context.Context, name string, on bool) error {
	o, unlock, err := d.lockedGet(name)
	if err != nil {
		return err
	}
	defer unlock()
	if !o.persistent {
		return backend.InvalidState("cannot set autostart for transient network")
	}
	return d.defs.SetAutostart(name, on)
}

func (d *Driver) XML(_ context.Context, name string, opts backend.XMLOptions) (string, error) {
	o, err := d.get(name)
	if err != nil {
		return "", err
	}
	def := o.def
	if opts.Inactive && o.persistent && o.active {
		cfg, _, err := d.defs.Read(name)
		if err != nil {
			return "", err
		}
		def = &libvirtxml.Network{}
		if err := def.Unmarshal(cfg); err != nil {
			return "", backend.Internal("corrupt definition of network '%s': %v", name, err)
		}
	}
	return formatDef(def)
}

// Start starts a defined network.
func (d *Driver) Start(ctx context.Context, name string) error {
	unlockAll, err := d.lockAll()
	if err != nil {
		return err
	}
	defer unlockAll()
	o, unlock, err := d.lockedGet(name)
	if err != nil {
		return err
	}
	defer unlock()
	if o.active {
		return backend.InvalidState("network is already active")
	}
	return d.start(ctx, o.def)
}

// Destroy stops an active network; a transient one disappears.
func (d *Driver) Destroy(ctx context.Context, name string) error {
	o, unlock, err := d.lockedGet(name)
	if err != nil {
		return err
	}
	defer unlock()
	if !o.active {
		return backend.InvalidState("network is not active")
	}
	err = d.stop(ctx, o.def)
	if !o.persistent {
		d.removeDnsmasqFiles(name)
	}
	return err
}

// AutostartAll starts the inactive networks marked for autostart and
// returns the errors of those that failed.
func (d *Driver) AutostartAll(ctx context.Context) error {
	objs, err := d.all()
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range objs {
		if o.autostart && !o.active {
			if err := d.Start(ctx, o.def.Name); err != nil && !errors.Is(err, backend.ErrInvalidState) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
