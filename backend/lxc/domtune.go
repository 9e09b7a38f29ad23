package lxc

import (
	"context"
	"github.com/virtsh/virtsh/backend/store"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// The domain operations that change a definition or read statistics.

// editConfig rewrites the persistent definition of name under its lock.
func (s *domains) editConfig(name string, fn func(*libvirtxml.Domain) error) error {
	doc, ok, err := s.c.defs.Read(name)
	if err != nil {
		return err
	}
	if !ok {
		return backend.InvalidState("transient domains do not have any persistent config")
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(doc); err != nil {
		return backend.OperationFailed("corrupt definition of '%s': %v", name, err)
	}
	if err := fn(&d); err != nil {
		return err
	}
	out, err := store.MarshalDomain(&d)
	if err != nil {
		return err
	}
	return s.c.defs.Write(name, out)
}

// editLive rewrites the live definition of a running domain.
func (s *domains) editLive(o *domObj, fn func(*libvirtxml.Domain) error) error {
	if err := fn(o.def); err != nil {
		return err
	}
	out, err := store.MarshalDomain(o.def)
	if err != nil {
		return err
	}
	return s.c.live.Write(o.def.Name, out)
}

// scoped runs live and config edits as scope says (current: live when
// running, config otherwise), under the domain's lock.
func (s *domains) scoped(name string, scope backend.Scope, live func(*domObj) error, config func(*libvirtxml.Domain) error) error {
	o, unlock, err := s.lockedLoad(name)
	if err != nil {
		return err
	}
	defer unlock()
	if !scope.Live && !scope.Config {
		scope.Live, scope.Config = o.active(), !o.active()
	}
	if scope.Live {
		if !o.active() {
			return backend.InvalidState("domain is not running")
		}
		if live == nil {
			return backend.Unsupported("this change cannot be made to a running container")
		}
		if err := live(o); err != nil {
			return err
		}
	}
	if scope.Config {
		return s.editConfig(name, config)
	}
	return nil
}

func setCurrentMemory(d *libvirtxml.Domain, k uint64) error {
	if k > maxMemKiB(d) {
		return backend.InvalidArgument("cannot set memory higher than max memory")
	}
	d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(k), Unit: "KiB"}
	return nil
}

// SetMemory changes the memory limit: live, the memory cgroup's limit.
func (s *domains) SetMemory(_ context.Context, name string, k uint64, scope backend.Scope) error {
	return s.scoped(name, scope, func(o *domObj) error {
		if k > maxMemKiB(o.def) {
			return backend.InvalidArgument("cannot set memory higher than max memory")
		}
		if err := o.st.Cgroup.SetMemoryLimit(k * 1024); err != nil {
			return backend.OperationFailed("cannot set the memory limit: %v", err)
		}
		return s.editLive(o, func(d *libvirtxml.Domain) error { return setCurrentMemory(d, k) })
	}, func(d *libvirtxml.Domain) error { return setCurrentMemory(d, k) })
}

// SetMaxMemory changes <memory> of the definition; like libvirt, not of a
// running container.
func (s *domains) SetMaxMemory(_ context.Context, name string, k uint64, scope backend.Scope) error {
	return s.scoped(name, scope, nil, func(d *libvirtxml.Domain) error {
		d.Memory = &libvirtxml.DomainMemory{Value: uint(k), Unit: "KiB"}
		if d.CurrentMemory != nil && curMemKiB(d) > k {
			d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(k), Unit: "KiB"}
		}
		return nil
	})
}

func (s *domains) SetVCPUs(context.Context, string, int, backend.VCPUOptions) error {
	return backend.Unsupported("containers share the host's CPUs: set <vcpu> in the definition, and limit CPU time with <cputune>")
}

// MemoryStats are libvirt's LXC memory statistics: the configured memory
// (actual), swap use (swap_in) and memory use (rss) of the cgroup, in KiB.
func (s *domains) MemoryStats(_ context.Context, name string) ([]backend.MemoryStat, error) {
	o, err := s.running(name)
	if err != nil {
		return nil, err
	}
	g := o.st.Cgroup
	used, err := g.MemoryUsage()
	if err != nil {
		return nil, backend.OperationFailed("cannot read the memory usage: %v", err)
	}
	swap, _ := g.SwapUsage()
	return []backend.MemoryStat{
		{Tag: "actual", Value: curMemKiB(o.def)},
		{Tag: "swap_in", Value: swap / 1024},
		{Tag: "rss", Value: used / 1024},
	}, nil
}

// Stats are the domstats records: state, cpu-total and balloon groups.
func (s *domains) Stats(ctx context.Context, names []string, groups backend.StatsGroups) ([]backend.DomainStats, error) {
	if names == nil {
		all, err := s.names()
		if err != nil {
			return nil, err
		}
		names = all
	}
	out := make([]backend.DomainStats, 0, len(names))
	for _, name := range names {
		o, err := s.load(name)
		if err != nil {
			return nil, err
		}
		st := backend.DomainStats{Name: name}
		if groups.None() || groups.State {
			st.Params = append(st.Params,
				backend.TypedParam{Field: "state.state", Value: int64(o.st.State)},
				backend.TypedParam{Field: "state.reason", Value: int64(o.st.Reason)})
		}
		if (groups.None() || groups.CPUTotal) && o.active() {
			if cpu, err := o.st.Cgroup.CPUTime(); err == nil {
				st.Params = append(st.Params, backend.TypedParam{Field: "cpu.time", Value: uint64(cpu.Nanoseconds())})
			}
		}
		if groups.None() || groups.Balloon {
			cur := curMemKiB(o.def)
			if o.active() {
				if used, err := o.st.Cgroup.MemoryUsage(); err == nil {
					cur = used / 1024
				}
			}
			st.Params = append(st.Params,
				backend.TypedParam{Field: "balloon.current", Value: cur},
				backend.TypedParam{Field: "balloon.maximum", Value: maxMemKiB(o.def)})
		}
		out = append(out, st)
	}
	return out, nil
}

func metadataField(d *libvirtxml.Domain, kind backend.MetadataKind) *string {
	if kind == backend.MetadataTitle {
		return &d.Title
	}
	return &d.Description
}

func (s *domains) Metadata(_ context.Context, name string, kind backend.MetadataKind, scope backend.Scope) (string, error) {
	o, err := s.load(name)
	if err != nil {
		return "", err
	}
	d := o.def
	if scope.Config && o.active() {
		if !o.persistent {
			return "", backend.InvalidState("transient domains do not have any persistent config")
		}
		doc, _, _ := s.c.defs.Read(name)
		var cfg libvirtxml.Domain
		if err := cfg.Unmarshal(doc); err != nil {
			return "", backend.OperationFailed("%v", err)
		}
		d = &cfg
	}
	v := *metadataField(d, kind)
	if v == "" {
		return "", backend.Plain(backend.CodeNotFound, "metadata not found: Requested metadata element is not present")
	}
	return v, nil
}

func (s *domains) SetMetadata(_ context.Context, name string, kind backend.MetadataKind, value string, scope backend.Scope) error {
	set := func(d *libvirtxml.Domain) error { *metadataField(d, kind) = value; return nil }
	return s.scoped(name, scope, func(o *domObj) error { return s.editLive(o, set) }, set)
}

// Rename renames a defined, inactive domain.
func (s *domains) Rename(_ context.Context, name, newName string) error {
	if err := backend.ValidateName("domain", newName); err != nil {
		return err
	}
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return noDomain(name)
	}
	defer unlock()
	unlockNew, err := s.c.defs.Lock(newName)
	if err != nil {
		return err
	}
	defer unlockNew()
	o, err := s.load(name)
	if err != nil {
		return err
	}
	if o.active() {
		return backend.InvalidState("cannot rename active domain")
	}
	if !o.persistent {
		return backend.InvalidState("cannot rename a transient domain")
	}
	if _, err := s.load(newName); err == nil {
		return backend.InvalidArgument("domain with name '%s' already exists", newName)
	}
	if err := s.c.defs.Rename(name, newName); err != nil {
		return err
	}
	s.files(name).remove()
	return s.editConfig(newName, func(d *libvirtxml.Domain) error { d.Name = newName; return nil })
}
