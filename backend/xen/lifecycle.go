package xen

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/store"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"github.com/virtsh/virtsh/backend/xmlcheck"
	"libvirt.org/go/libvirtxml"
)

// newXenMAC returns a random MAC address in Xen's range 00:16:3e, as
// libvirt's libxl driver generates for vifs without one.
func newXenMAC() string {
	var b [3]byte
	rand.Read(b[:])
	return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", b[0]&0x7f, b[1], b[2])
}

// parseDefinition reads a user's domain XML for define or create:
// refusing what libvirtxml would drop or what xl cannot run, and filling
// in a UUID and vif MAC addresses.
func parseDefinition(xml string) (*libvirtxml.Domain, error) {
	d, err := parseDomain(xml)
	if err != nil {
		return nil, err
	}
	again, err := d.Marshal()
	if err != nil {
		return nil, backend.XMLError("%v", err)
	}
	dropped, err := xmlcheck.Dropped(xml, again, "domain/metadata")
	if err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if len(dropped) > 0 {
		return nil, backend.ConfigUnsupported("the Xen driver does not know %s; remove them or fix their spelling", strings.Join(dropped, ", "))
	}
	if err := backend.ValidateName("domain", d.Name); err != nil {
		return nil, err
	}
	if d.Name == dom0Name {
		return nil, backend.InvalidArgument("the name %s is reserved for Xen's control domain", dom0Name)
	}
	if d.UUID == "" {
		d.UUID = backend.NewUUID()
	}
	if d.Devices != nil {
		for i := range d.Devices.Interfaces {
			nic := &d.Devices.Interfaces[i]
			if nic.MAC == nil || nic.MAC.Address == "" {
				nic.MAC = &libvirtxml.DomainInterfaceMAC{Address: newXenMAC()}
			}
		}
	}
	// Everything but the bridge of a virtual network is checked now;
	// that one is looked up when the domain starts.
	placeholder := xlconfig.Options{NetworkBridge: func(string) (string, error) { return "network", nil }}
	if _, err := xlconfig.ToXL(d, placeholder); err != nil {
		return nil, backend.ConfigUnsupported("%s", strings.TrimPrefix(err.Error(), "unsupported configuration: "))
	}
	return d, nil
}

func (s domains) Define(ctx context.Context, xml string, _ backend.DefineOptions) (backend.DomainInfo, error) {
	d, err := parseDefinition(xml)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	def, err := store.NewDefinition(d)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	running := func() ([]store.Identity, error) { return s.c.runningIdentities(ctx) }
	if err := s.c.defs.DefineDomain(def, running); err != nil {
		return backend.DomainInfo{}, err
	}
	v := &view{name: d.Name}
	if err := s.c.fill(v); err != nil {
		return backend.DomainInfo{}, err
	}
	return v.info(), nil
}

// runningIdentities are the names and UUIDs of the domains Xen runs, for
// the identity rules every driver shares (store.ClaimUUID).
func (c *Conn) runningIdentities(ctx context.Context) ([]store.Identity, error) {
	running, err := c.running(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]store.Identity, len(running))
	for i, r := range running {
		ids[i] = store.Identity{Name: r.Name, UUID: r.UUID}
	}
	return ids, nil
}

// claimUUID applies the shared identity rules to d (the caller holds its
// lock).
func (c *Conn) claimUUID(ctx context.Context, d *libvirtxml.Domain) error {
	ids, err := c.runningIdentities(ctx)
	if err == nil {
		d.UUID, err = c.defs.ClaimUUID(d.Name, d.UUID, ids)
	}
	return err
}

func (s domains) Undefine(ctx context.Context, name string, opts backend.UndefineOptions) error {
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	v, err := s.c.view(ctx, name)
	if err != nil {
		return err
	}
	if v.def == "" {
		return backend.InvalidState("cannot undefine transient domain")
	}
	if err := s.c.defs.Remove(name); err != nil {
		return err
	}
	if v.xl == nil {
		s.c.forget(name)
	}
	return nil
}

func (s domains) Create(ctx context.Context, xml string, opts backend.StartOptions) (backend.DomainInfo, error) {
	d, err := parseDefinition(xml)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	unlock, err := s.c.defs.Lock(d.Name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	defer unlock()
	v, err := s.c.view(ctx, d.Name)
	if err == nil {
		if v.xl != nil {
			return backend.DomainInfo{}, backend.OperationFailed("domain '%s' is already active", d.Name)
		}
		if err := s.c.claimUUID(ctx, d); err != nil {
			return backend.DomainInfo{}, err
		}
	}
	if err := s.c.start(ctx, d, opts); err != nil {
		return backend.DomainInfo{}, err
	}
	return s.LookupByName(ctx, d.Name)
}

func (s domains) Start(ctx context.Context, name string, opts backend.StartOptions) error {
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	xml, ok, err := s.c.defs.Read(name)
	if err != nil {
		return err
	}
	if !ok {
		return backend.NoDomain("no domain with matching name '%s'", name)
	}
	if x, err := s.c.runningNamed(ctx, name); err != nil {
		return err
	} else if x != nil {
		return backend.InvalidState("domain is already running")
	}
	d, err := parseDomain(xml)
	if err != nil {
		return err
	}
	return s.c.start(ctx, d, opts)
}

// start writes the domain's xl configuration and runs `xl create`; the
// live XML and the record follow only when xl succeeded, and a failed
// start leaves nothing behind.
func (c *Conn) start(ctx context.Context, d *libvirtxml.Domain, opts backend.StartOptions) error {
	if opts.Autodestroy {
		return backend.ConfigUnsupported("the Xen driver cannot autodestroy a domain when virtsh exits: there is no daemon to notice")
	}
	// Ports left by a run that ended behind virtsh's back (a guest that
	// powered off) go first.
	if err := c.releasePorts(ctx, d.UUID); err != nil {
		return err
	}
	cfg, err := c.toXL(d)
	if err != nil {
		return err
	}
	path := c.cfgPath(d.Name)
	// 0600: the configuration can hold a VNC password.
	// Runtime state: not synced (fsutil.WriteVolatile).
	if err := fsutil.WriteVolatile(path, []byte(cfg.Format()), 0o600); err != nil {
		return backend.OperationFailed("cannot write the xl configuration of '%s': %v", d.Name, err)
	}
	args := []string{"create", "-q"}
	if opts.Paused {
		args = append(args, "-p")
	}
	if _, err := c.xl(ctx, append(args, path)...); err != nil {
		os.Remove(path)
		return err
	}
	live, err := store.MarshalDomain(d)
	if err == nil {
		err = c.live.Write(d.Name, live)
	}
	state, reason := backend.DomainRunning, backend.RunningBooted
	if opts.Paused {
		state, reason = backend.DomainPaused, backend.PausedUser
	}
	if err == nil {
		err = c.writeRecord(d.Name, state, reason)
	}
	if err == nil && hasNetworkVif(d) {
		var domid int
		if domid, err = c.domid(ctx, d.Name); err == nil {
			err = c.recordPorts(d, domid)
		}
	}
	if err != nil {
		c.xl(ctx, "destroy", d.Name) // roll back: no running domain virtsh cannot describe
		c.releasePorts(ctx, d.UUID)
		c.forget(d.Name)
		return err
	}
	return nil
}

// domid is the id of running domain name.
func (c *Conn) domid(ctx context.Context, name string) (int, error) {
	x, err := c.runningNamed(ctx, name)
	if err != nil {
		return 0, err
	}
	if x == nil {
		return 0, backend.OperationFailed("domain '%s' is not running after xl started it", name)
	}
	return x.ID, nil
}

// hasNetworkVif says whether a domain has a vif on a virtual network.
func hasNetworkVif(d *libvirtxml.Domain) bool {
	if d.Devices == nil {
		return false
	}
	for _, nic := range d.Devices.Interfaces {
		if nic.Source != nil && nic.Source.Network != nil {
			return true
		}
	}
	return false
}

// activeDomain is what an operation on a running domain needs to know of
// it: what the hypervisor says, and whether virtsh keeps its definition.
type activeDomain struct {
	name       string
	xl         xlDomain
	persistent bool
}

// lockedActive takes a running domain's lock and finds it, with
// libvirt's errors for a domain that does not exist or does not run, and
// dom0Refusal ("Cannot destroy") for the control domain. It reads the
// hypervisor's list and the definition, nothing else: the lifecycle
// operations act through xl, which needs only the name.
func (c *Conn) lockedActive(ctx context.Context, name, dom0Refusal string) (*activeDomain, func(), error) {
	unlock, err := c.defs.Lock(name)
	if err != nil {
		return nil, nil, err
	}
	a, err := c.activeDomain(ctx, name)
	if err == nil {
		err = notDom0(&a.xl, dom0Refusal)
	}
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return a, unlock, nil
}

func (c *Conn) activeDomain(ctx context.Context, name string) (*activeDomain, error) {
	x, err := c.runningNamed(ctx, name)
	if err != nil {
		return nil, err
	}
	_, persistent, err := c.defs.Read(name)
	if err != nil {
		return nil, err
	}
	if x != nil {
		return &activeDomain{name: name, xl: *x, persistent: persistent}, nil
	}
	if !persistent {
		return nil, backend.NoDomain("no domain with matching name '%s'", name)
	}
	return nil, backend.InvalidState("domain is not running")
}

// ended forgets what virtsh kept of a running domain that xl stopped
// (destroy, save): its network ports, and its runtime files, keeping
// the reason it stopped for when the domain stays defined.
func (c *Conn) ended(ctx context.Context, a *activeDomain, reason int) error {
	portErr := c.releasePorts(ctx, a.xl.UUID)
	if !a.persistent {
		c.forget(a.name)
		return portErr
	}
	return errors.Join(c.stopped(a.name, reason), portErr)
}

// DomainExists implements backend.DomainExistence: a definition, or else
// a running domain of that name.
func (s domains) DomainExists(ctx context.Context, name string) error {
	if _, ok, err := s.c.defs.Read(name); err != nil || ok {
		return err
	}
	if x, err := s.c.runningNamed(ctx, name); err != nil || x != nil {
		return err
	}
	return backend.NoDomain("no domain with matching name '%s'", name)
}

func (s domains) Shutdown(ctx context.Context, name string, opts backend.ShutdownOptions) error {
	args := []string{"shutdown"}
	for _, m := range opts.Modes {
		switch m {
		case "paravirt":
		case "acpi":
			args = append(args, "-F") // fall back to an ACPI power event
		default:
			return backend.Plain(backend.CodeUnsupported, "shutdown mode '%s' is not supported by the Xen driver (use paravirt or acpi)", m)
		}
	}
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot shutdown")
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.c.xl(ctx, append(args, a.xl.Arg())...)
	return err
}

func (s domains) Reboot(ctx context.Context, name string, opts backend.ShutdownOptions) error {
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot reboot")
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.c.xl(ctx, "reboot", a.xl.Arg())
	return err
}

func (s domains) Destroy(ctx context.Context, name string, _ backend.DestroyOptions) error {
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot destroy")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.c.xl(ctx, "destroy", a.xl.Arg()); err != nil {
		return err
	}
	return s.c.ended(ctx, a, backend.ShutoffDestroyed)
}

func (s domains) Reset(ctx context.Context, name string) error {
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot reset")
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.c.xl(ctx, "trigger", a.xl.Arg(), "reset")
	return err
}

func (s domains) Suspend(ctx context.Context, name string) error {
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot suspend")
	if err != nil {
		return err
	}
	defer unlock()
	if a.xl.State() == backend.DomainPaused {
		return nil // libvirt: suspending a paused domain succeeds
	}
	if _, err := s.c.xl(ctx, "pause", a.xl.Arg()); err != nil {
		return err
	}
	return s.c.writeRecord(name, backend.DomainPaused, backend.PausedUser)
}

func (s domains) Resume(ctx context.Context, name string) error {
	a, unlock, err := s.c.lockedActive(ctx, name, "Cannot resume")
	if err != nil {
		return err
	}
	defer unlock()
	if a.xl.State() != backend.DomainPaused {
		return nil // as libvirt's libxl driver: nothing to do
	}
	if _, err := s.c.xl(ctx, "unpause", a.xl.Arg()); err != nil {
		return err
	}
	return s.c.writeRecord(name, backend.DomainRunning, backend.RunningUnpaused)
}
