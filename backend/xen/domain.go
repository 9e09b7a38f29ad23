package xen

import (
	"context"
	"sort"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// domains is the DomainService of a Xen connection.
type domains struct{ c *Conn }

// dom0Name is the control domain as xl names it.
const dom0Name = "Domain-0"

// view is everything known about one domain at one moment: its
// persistent definition, its live XML, what xl says and virtsh's record.
type view struct {
	name      string
	def       string    // persistent XML; "" for a transient domain
	live      string    // live XML when virtsh started it; else ""
	xl        *xlDomain // nil when not running
	rec       record
	hasRec    bool
	autostart bool
}

// views gathers every domain: the defined ones and the running ones.
func (c *Conn) views(ctx context.Context) ([]*view, error) {
	running, err := c.running(ctx)
	if err != nil {
		return nil, err
	}
	names, err := c.defs.Names()
	if err != nil {
		return nil, err
	}
	byName := map[string]*view{}
	var out []*view
	add := func(name string) *view {
		if v := byName[name]; v != nil {
			return v
		}
		v := &view{name: name}
		byName[name] = v
		out = append(out, v)
		return v
	}
	for i := range running {
		add(running[i].Name).xl = &running[i]
	}
	for _, n := range names {
		add(n)
	}
	for _, v := range out {
		if err := c.fill(v); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.xl != nil) != (b.xl != nil) {
			return a.xl != nil
		}
		if a.xl != nil {
			return a.xl.ID < b.xl.ID
		}
		return a.name < b.name
	})
	return out, nil
}

// fill reads the stored parts of a view.
func (c *Conn) fill(v *view) error {
	var err error
	if v.def, _, err = c.defs.Read(v.name); err != nil {
		return err
	}
	if v.xl != nil {
		if v.live, _, err = c.live.Read(v.name); err != nil {
			return err
		}
	}
	v.rec, v.hasRec = c.readRecord(v.name)
	v.autostart = v.def != "" && c.defs.Autostart(v.name)
	return nil
}

// view finds one domain by name.
func (c *Conn) view(ctx context.Context, name string) (*view, error) {
	if err := backend.ValidateName("domain", name); err != nil {
		return nil, err
	}
	x, err := c.runningNamed(ctx, name)
	if err != nil {
		return nil, err
	}
	v := &view{name: name, xl: x}
	if err := c.fill(v); err != nil {
		return nil, err
	}
	if v.def == "" && v.xl == nil {
		return nil, backend.NoDomain("no domain with matching name '%s'", name)
	}
	return v, nil
}

// runningNamed returns the running domain called name, or nil when none
// runs.
func (c *Conn) runningNamed(ctx context.Context, name string) (*xlDomain, error) {
	running, err := c.running(ctx)
	if err != nil {
		return nil, err
	}
	for i := range running {
		if running[i].Name == name {
			return &running[i], nil
		}
	}
	return nil, nil
}

// xml is the domain's current XML: live when running, else persistent.
func (v *view) xml() string {
	if v.live != "" {
		return v.live
	}
	return v.def
}

func parseDomain(xml string) (*libvirtxml.Domain, error) {
	d := &libvirtxml.Domain{}
	if err := d.Unmarshal(xml); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	return d, nil
}

// osType is what dominfo calls the guest type (libvirt's os type).
func osType(d *libvirtxml.Domain) string {
	if d != nil && d.OS != nil && d.OS.Type != nil && d.OS.Type.Type != "" && d.OS.Type.Type != "xen" {
		return d.OS.Type.Type
	}
	return "linux"
}

func (v *view) info() backend.DomainInfo {
	info := backend.DomainInfo{Name: v.name, ID: -1, OSType: "linux", State: backend.DomainShutoff,
		Persistent: v.def != "", Autostart: v.autostart}
	var d *libvirtxml.Domain
	if x := v.xml(); x != "" {
		d, _ = parseDomain(x)
	}
	if d != nil {
		info.UUID = d.UUID
		info.OSType = osType(d)
		info.Title = d.Title
		if d.Memory != nil {
			info.MaxMemKiB, _ = xlconfig.KiB(d.Memory.Value, d.Memory.Unit)
		}
		info.MemKiB = info.MaxMemKiB
		if d.CurrentMemory != nil {
			info.MemKiB, _ = xlconfig.KiB(d.CurrentMemory.Value, d.CurrentMemory.Unit)
		}
		info.VCPUs = 1
		if d.VCPU != nil {
			info.VCPUs = int(d.VCPU.Value)
			if d.VCPU.Current > 0 {
				info.VCPUs = int(d.VCPU.Current)
			}
		}
	}
	if x := v.xl; x != nil {
		info.ID, info.State, info.CPUTime, info.VCPUs = x.ID, x.State(), x.CPUTime, x.VCPUs
		info.MemKiB = x.MemMiB * 1024
		if info.UUID == "" {
			info.UUID = x.UUID
		}
		if d == nil {
			info.OSType = libxlOSType(x.Type).Type // a domain plain xl started
		}
		if info.MaxMemKiB < info.MemKiB {
			info.MaxMemKiB = info.MemKiB
		}
		if x.ID == 0 {
			info.Persistent = true
		}
	}
	info.Reason = v.reason(info.State)
	return info
}

// reason says why the domain is in state s: virtsh's record when it
// matches, and "shutdown" for a domain virtsh saw running that has gone.
func (v *view) reason(s backend.DomainState) int {
	switch {
	case v.hasRec && v.rec.State == s:
		return v.rec.Reason
	case s == backend.DomainShutoff && v.hasRec && v.rec.State.Active():
		return backend.ShutoffShutdown
	case s == backend.DomainRunning && v.xl != nil && v.xl.ID != 0 && v.hasRec:
		return backend.RunningBooted
	}
	return backend.ReasonUnknown
}

func (s domains) List(ctx context.Context) ([]backend.DomainInfo, error) {
	views, err := s.c.views(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]backend.DomainInfo, 0, len(views))
	for _, v := range views {
		out = append(out, v.info())
	}
	return out, nil
}

func (s domains) LookupByName(ctx context.Context, name string) (backend.DomainInfo, error) {
	v, err := s.c.view(ctx, name)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	return v.info(), nil
}

func (s domains) LookupByID(ctx context.Context, id int) (backend.DomainInfo, error) {
	running, err := s.c.running(ctx)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	for i := range running {
		if running[i].ID == id {
			v := &view{name: running[i].Name, xl: &running[i]}
			if err := s.c.fill(v); err != nil {
				return backend.DomainInfo{}, err
			}
			return v.info(), nil
		}
	}
	return backend.DomainInfo{}, backend.NoDomain("no domain with matching id %d", id)
}

func (s domains) LookupByUUID(ctx context.Context, uuid string) (backend.DomainInfo, error) {
	views, err := s.c.views(ctx)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	for _, v := range views {
		if info := v.info(); strings.EqualFold(info.UUID, uuid) {
			return info, nil
		}
	}
	return backend.DomainInfo{}, backend.NoDomain("no domain with matching uuid '%s'", uuid)
}

// active returns the view of a running domain, or libvirt's error.
func (c *Conn) active(ctx context.Context, name string) (*view, error) {
	v, err := c.view(ctx, name)
	if err != nil {
		return nil, err
	}
	if v.xl == nil {
		return nil, backend.InvalidState("domain is not running")
	}
	return v, nil
}

// notDom0 refuses an operation on the control domain.
func notDom0(x *xlDomain, what string) error {
	if x != nil && x.ID == 0 {
		return backend.InvalidState("%s Domain-0", what)
	}
	return nil
}
