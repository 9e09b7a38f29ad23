package testdrv

import (
	"context"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// maxVCPUs is testConnectGetMaxVcpus.
const maxVCPUs = 32

type domainService struct{ c *conn }

// with runs fn on the named domain with the connection locked.
func (s domainService) with(name string, fn func(*domainObj) error) error {
	return s.c.locked(func() error {
		o, err := s.c.domainByName(name)
		if err != nil {
			return err
		}
		return fn(o)
	})
}

// lookup returns the info of the domain that get finds.
func (s domainService) lookup(get func() (*domainObj, error)) (backend.DomainInfo, error) {
	var info backend.DomainInfo
	err := s.c.locked(func() error {
		o, err := get()
		if err == nil {
			info = o.info()
		}
		return err
	})
	return info, err
}

func (s domainService) List(context.Context) ([]backend.DomainInfo, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	out := make([]backend.DomainInfo, 0, len(s.c.domains))
	for _, o := range s.c.domains {
		out = append(out, o.info())
	}
	return out, nil
}

func (s domainService) LookupByName(_ context.Context, name string) (backend.DomainInfo, error) {
	return s.lookup(func() (*domainObj, error) { return s.c.domainByName(name) })
}

// DomainExists implements backend.DomainExistence.
func (s domainService) DomainExists(_ context.Context, name string) error {
	return s.with(name, func(*domainObj) error { return nil })
}

func (s domainService) LookupByID(_ context.Context, id int) (backend.DomainInfo, error) {
	return s.lookup(func() (*domainObj, error) { return s.c.domainByID(id) })
}

func (s domainService) LookupByUUID(_ context.Context, uuid string) (backend.DomainInfo, error) {
	return s.lookup(func() (*domainObj, error) { return s.c.domainByUUID(uuid) })
}

func (s domainService) Define(_ context.Context, xml string, _ backend.DefineOptions) (backend.DomainInfo, error) {
	return s.add(xml, false)
}

func (s domainService) Create(_ context.Context, xml string, opts backend.StartOptions) (backend.DomainInfo, error) {
	if flags := startFlags(opts) &^ startValidate; flags != 0 {
		return backend.DomainInfo{}, unsupportedFlags(flags, "testDomainCreateXML")
	}
	return s.add(xml, true)
}

// add defines (live false) or creates and starts (live true) a domain.
func (s domainService) add(xml string, live bool) (backend.DomainInfo, error) {
	def, err := parseDomain(xml)
	if err != nil {
		return backend.DomainInfo{}, err
	}
	return s.lookup(func() (*domainObj, error) {
		o, err := s.c.addDomain(def, live)
		if err != nil {
			return nil, err
		}
		if live {
			s.c.startState(o, backend.RunningBooted)
		} else {
			o.persistent = true
		}
		return o, nil
	})
}

const startValidate = 16

// startFlags encodes StartOptions as libvirt's virDomainCreateFlags.
func startFlags(o backend.StartOptions) uint {
	return bit(o.Paused, 1) | bit(o.Autodestroy, 2) | bit(o.BypassCache, 4) | bit(o.ForceBoot, 8) | bit(o.Validate, startValidate)
}

func bit(on bool, v uint) uint {
	if on {
		return v
	}
	return 0
}

func (s domainService) Undefine(_ context.Context, name string, opts backend.UndefineOptions) error {
	if flags := bit(opts.NVRAM, 4) | bit(opts.KeepNVRAM, 8); flags != 0 {
		return unsupportedFlags(flags, "testDomainUndefineFlags")
	}
	return s.with(name, func(o *domainObj) error {
		if o.managedSave && !opts.ManagedSave {
			return backend.InvalidState("Refusing to undefine while domain managed save image exists")
		}
		if !o.active() && len(o.snapshots) > 0 && !opts.SnapshotsMetadata {
			return backend.InvalidState("cannot delete inactive domain with %d snapshots", len(o.snapshots))
		}
		o.managedSave = false
		if o.active() {
			o.persistent, o.config = false, nil
		} else {
			s.c.domains = remove(s.c.domains, o)
		}
		return nil
	})
}

func (s domainService) Start(_ context.Context, name string, opts backend.StartOptions) error {
	if flags := startFlags(opts); flags != 0 {
		return unsupportedFlags(flags, "testDomainCreateWithFlags")
	}
	return s.with(name, func(o *domainObj) error {
		if o.state != backend.DomainShutoff {
			return stateError("Domain '%s' is already running", name)
		}
		s.c.startState(o, backend.RunningBooted)
		return nil
	})
}

func (s domainService) Shutdown(_ context.Context, name string, _ backend.ShutdownOptions) error {
	return s.with(name, func(o *domainObj) error {
		if o.state == backend.DomainShutoff {
			return stateError("domain '%s' not running", name)
		}
		s.c.lifecycleAction(o, o.def().OnPoweroff)
		return nil
	})
}

func (s domainService) Reboot(_ context.Context, name string, _ backend.ShutdownOptions) error {
	return s.with(name, func(o *domainObj) error {
		if err := o.checkActive(); err != nil {
			return err
		}
		s.c.lifecycleAction(o, o.def().OnReboot)
		return nil
	})
}

func (s domainService) Destroy(_ context.Context, name string, _ backend.DestroyOptions) error {
	return s.with(name, func(o *domainObj) error {
		if err := o.checkActive(); err != nil {
			return err
		}
		s.c.shutdownState(o, backend.ShutoffDestroyed)
		return nil
	})
}

func (s domainService) Reset(_ context.Context, name string) error {
	return s.with(name, func(o *domainObj) error { return o.checkActive() })
}

func (s domainService) Suspend(_ context.Context, name string) error {
	return s.with(name, func(o *domainObj) error {
		if o.state == backend.DomainShutoff || o.state == backend.DomainPaused {
			return stateError("domain '%s' not running", name)
		}
		o.setState(backend.DomainPaused, backend.PausedUser)
		return nil
	})
}

func (s domainService) Resume(_ context.Context, name string) error {
	return s.with(name, func(o *domainObj) error {
		if o.state != backend.DomainPaused {
			return stateError("domain '%s' not paused", name)
		}
		o.setState(backend.DomainRunning, backend.RunningUnpaused)
		return nil
	})
}

func (s domainService) XML(_ context.Context, name string, opts backend.XMLOptions) (string, error) {
	var out string
	err := s.with(name, func(o *domainObj) error {
		def, id := o.def(), o.id
		if opts.Inactive {
			id = -1
			if o.config != nil {
				def = o.config
			}
		}
		var err error
		out, err = formatDomain(def, id)
		return err
	})
	return out, err
}

func (s domainService) SetAutostart(_ context.Context, name string, on bool) error {
	return s.with(name, func(o *domainObj) error {
		o.autostart = on
		return nil
	})
}

func (s domainService) SetMemory(_ context.Context, name string, kib uint64, scope backend.Scope) error {
	return s.with(name, func(o *domainObj) error {
		def, _, err := o.oneDef(scope)
		if err != nil {
			return err
		}
		if kib > uint64(def.Memory.Value) {
			return backend.InvalidArgument("cannot set memory higher than max memory")
		}
		def.CurrentMemory.Value = uint(kib)
		return nil
	})
}

func (s domainService) SetMaxMemory(_ context.Context, name string, kib uint64, scope backend.Scope) error {
	return s.with(name, func(o *domainObj) error {
		def, live, err := o.oneDef(scope)
		if err != nil {
			return err
		}
		if live {
			return backend.InvalidState("cannot resize the maximum memory on an active domain")
		}
		def.Memory.Value = uint(kib)
		def.CurrentMemory.Value = min(def.CurrentMemory.Value, uint(kib))
		return nil
	})
}

func (s domainService) SetVCPUs(_ context.Context, name string, count int, opts backend.VCPUOptions) error {
	if opts.Guest {
		return unsupportedFlags(8, "testDomainSetVcpusFlags")
	}
	if count > maxVCPUs {
		return backend.InvalidArgument("requested cpu amount exceeds maximum supported amount (%d > %d)", count, maxVCPUs)
	}
	return s.with(name, func(o *domainObj) error {
		live, config, err := o.defs(opts.Scope)
		if err != nil {
			return err
		}
		for _, def := range []*libvirtxml.Domain{live, config} {
			if def != nil && !(def == config && opts.Maximum) && int(def.VCPU.Value) < count {
				return backend.InvalidArgument("requested cpu amount exceeds maximum (%d > %d)", count, def.VCPU.Value)
			}
		}
		if live != nil {
			setVCPUs(live, count)
		}
		if config != nil && opts.Maximum {
			cur := min(vcpus(config), count)
			config.VCPU.Value = uint(count)
			setVCPUs(config, cur)
		} else if config != nil {
			setVCPUs(config, count)
		}
		return nil
	})
}

// memballoonStats are testDomainMemoryStats' values, from the current
// balloon size.
func memballoonStats(cur uint64) []backend.MemoryStat {
	return []backend.MemoryStat{
		{Tag: "actual", Value: cur},
		{Tag: "swap_in"}, {Tag: "swap_out"}, {Tag: "major_fault"}, {Tag: "minor_fault"},
		{Tag: "unused", Value: cur / 2},
		{Tag: "available", Value: cur},
		{Tag: "usable", Value: cur / 2},
		{Tag: "last_update", Value: 627319920},
		{Tag: "disk_caches", Value: cur / 8},
		{Tag: "hugetlb_pgalloc"}, {Tag: "hugetlb_pgfail"},
		{Tag: "rss", Value: cur / 2},
	}
}

func (s domainService) MemoryStats(_ context.Context, name string) ([]backend.MemoryStat, error) {
	var out []backend.MemoryStat
	err := s.with(name, func(o *domainObj) error {
		if err := o.checkActive(); err != nil {
			return err
		}
		if mb := o.live.Devices.MemBalloon; mb != nil && mb.Model != "none" {
			out = memballoonStats(uint64(o.live.CurrentMemory.Value))
		}
		return nil
	})
	return out, err
}

// Stats is testConnectGetAllDomainStats of libvirt 9.0.0, which reports
// only the state group.
func (s domainService) Stats(_ context.Context, names []string, groups backend.StatsGroups) ([]backend.DomainStats, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	objs := s.c.domains
	if names != nil {
		objs = nil
		for _, name := range names {
			o, err := s.c.domainByName(name)
			if err != nil {
				return nil, err
			}
			objs = append(objs, o)
		}
	}
	out := make([]backend.DomainStats, 0, len(objs))
	for _, o := range objs {
		st := backend.DomainStats{Name: o.name()}
		if groups.None() || groups.State {
			st.Params = []backend.TypedParam{
				{Field: "state.state", Value: int64(o.state)},
				{Field: "state.reason", Value: int64(o.reason)},
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// metadataField returns the definition field of a metadata kind.
func metadataField(d *libvirtxml.Domain, kind backend.MetadataKind) *string {
	if kind == backend.MetadataTitle {
		return &d.Title
	}
	return &d.Description
}

func (s domainService) Metadata(_ context.Context, name string, kind backend.MetadataKind, scope backend.Scope) (string, error) {
	var out string
	err := s.with(name, func(o *domainObj) error {
		def, _, err := o.oneDef(scope)
		if err != nil {
			return err
		}
		out = *metadataField(def, kind)
		if out == "" {
			return backend.Plain(backend.CodeNotFound, "metadata not found: Requested metadata element is not present")
		}
		return nil
	})
	return out, err
}

func (s domainService) SetMetadata(_ context.Context, name string, kind backend.MetadataKind, value string, scope backend.Scope) error {
	if kind == backend.MetadataTitle && strings.Contains(value, "\n") {
		return backend.InvalidArgument("title can't contain newlines")
	}
	return s.with(name, func(o *domainObj) error {
		live, config, err := o.defs(scope)
		if err != nil {
			return err
		}
		for _, def := range []*libvirtxml.Domain{live, config} {
			if def != nil {
				*metadataField(def, kind) = value
			}
		}
		return nil
	})
}

func (s domainService) Rename(_ context.Context, name, newName string) error {
	return s.with(name, func(o *domainObj) error {
		switch {
		case o.active():
			return backend.InvalidState("cannot rename active domain")
		case !o.persistent:
			return backend.InvalidState("cannot rename a transient domain")
		case name == newName:
			return backend.InvalidState("Can't rename domain to itself")
		}
		if other, _ := s.c.domainByName(newName); other != nil {
			return backend.InvalidState("domain with name '%s' already exists", newName)
		}
		if strings.Contains(newName, "/") {
			return backend.XMLError("name %s cannot contain '/'", newName)
		}
		o.config.Name = newName
		return nil
	})
}
