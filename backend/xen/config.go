package xen

import (
	"context"
	"github.com/virtsh/virtsh/backend/store"
	"strconv"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// edit changes a domain: apply runs the live change (xl) when live is
// set, then change rewrites the live XML and/or the persistent
// definition. The domain's lock is held throughout.
func (c *Conn) edit(ctx context.Context, name string, s backend.Scope, apply func(v *view) error, change func(d *libvirtxml.Domain, live bool) error) error {
	unlock, err := c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	v, err := c.view(ctx, name)
	if err != nil {
		return err
	}
	live, config, err := s.Resolve(v.xl != nil, v.def != "")
	if err != nil {
		return err
	}
	if live {
		if err := notDom0(v.xl, "Cannot change"); err != nil {
			return err
		}
	}
	// Check both changes on copies before doing anything.
	var liveDom, defDom *libvirtxml.Domain
	if live && v.live != "" {
		if liveDom, err = parseDomain(v.live); err != nil {
			return err
		}
		if err := change(liveDom, true); err != nil {
			return err
		}
	}
	if config {
		if defDom, err = parseDomain(v.def); err != nil {
			return err
		}
		if err := change(defDom, false); err != nil {
			return err
		}
	}
	if live && apply != nil {
		if err := apply(v); err != nil {
			return err
		}
	}
	for _, x := range []struct {
		d  *libvirtxml.Domain
		st interface{ Write(string, string) error }
	}{{liveDom, c.live}, {defDom, c.defs}} {
		if x.d == nil {
			continue
		}
		out, err := store.MarshalDomain(x.d)
		if err != nil {
			return err
		}
		if err := x.st.Write(name, out); err != nil {
			return err
		}
	}
	return nil
}

func (s domains) XML(ctx context.Context, name string, opts backend.XMLOptions) (string, error) {
	v, err := s.c.view(ctx, name)
	if err != nil {
		return "", err
	}
	xml := v.xml()
	if opts.Inactive && v.def != "" {
		xml = v.def
	}
	var d *libvirtxml.Domain
	if xml == "" {
		if d, err = s.c.describeRunning(ctx, v); err != nil {
			return "", err
		}
	} else if d, err = parseDomain(xml); err != nil {
		return "", err
	}
	if v.xl != nil && !(opts.Inactive && v.def != "") {
		id := v.xl.ID
		d.ID = &id
	}
	if !opts.Secure && d.Devices != nil {
		for i := range d.Devices.Graphics {
			if g := d.Devices.Graphics[i].VNC; g != nil {
				g.Passwd = ""
			}
			if g := d.Devices.Graphics[i].Spice; g != nil {
				g.Passwd = ""
			}
		}
	}
	return store.MarshalDomain(d)
}

func (s domains) SetAutostart(ctx context.Context, name string, on bool) error {
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
		return backend.InvalidState("cannot set autostart for transient domain")
	}
	return s.c.defs.SetAutostart(name, on)
}

func kibText(kib uint64) string { return strconv.FormatUint(kib, 10) + "k" }

func (s domains) SetMemory(ctx context.Context, name string, kib uint64, scope backend.Scope) error {
	return s.c.edit(ctx, name, scope,
		func(v *view) error { _, err := s.c.xl(ctx, "mem-set", v.xl.Arg(), kibText(kib)); return err },
		func(d *libvirtxml.Domain, _ bool) error {
			if max := memKiB(d); kib > max {
				return backend.InvalidArgument("cannot set memory higher than max memory")
			}
			d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(kib), Unit: "KiB"}
			return nil
		})
}

func (s domains) SetMaxMemory(ctx context.Context, name string, kib uint64, scope backend.Scope) error {
	return s.c.edit(ctx, name, scope,
		func(v *view) error { _, err := s.c.xl(ctx, "mem-max", v.xl.Arg(), kibText(kib)); return err },
		func(d *libvirtxml.Domain, _ bool) error {
			d.Memory = &libvirtxml.DomainMemory{Value: uint(kib), Unit: "KiB"}
			if d.CurrentMemory != nil && uint64(d.CurrentMemory.Value) > kib {
				d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(kib), Unit: "KiB"}
			}
			return nil
		})
}

// memKiB is a definition's maximum memory in KiB.
func memKiB(d *libvirtxml.Domain) uint64 {
	if d.Memory == nil {
		return 0
	}
	n, _ := xlconfig.KiB(d.Memory.Value, d.Memory.Unit)
	return n
}

func (s domains) SetVCPUs(ctx context.Context, name string, count int, opts backend.VCPUOptions) error {
	if count < 1 {
		return backend.InvalidArgument("argument unsupported: count of vCPUs must be at least 1")
	}
	if opts.Guest {
		return backend.Unsupported("virDomainSetVcpusFlags with --guest (no guest agent on Xen)")
	}
	if opts.Maximum && opts.Scope.Live {
		return backend.InvalidArgument("cannot change the maximum vCPU count of a running domain")
	}
	scope := opts.Scope
	if opts.Maximum && !scope.Config {
		scope = backend.Scope{Config: true}
	}
	return s.c.edit(ctx, name, scope,
		func(v *view) error { _, err := s.c.xl(ctx, "vcpu-set", v.xl.Arg(), strconv.Itoa(count)); return err },
		func(d *libvirtxml.Domain, _ bool) error {
			if d.VCPU == nil {
				d.VCPU = &libvirtxml.DomainVCPU{Placement: "static", Value: 1}
			}
			if opts.Maximum {
				if d.VCPU.Current == 0 || d.VCPU.Current > uint(count) {
					d.VCPU.Current = min(d.VCPU.Value, uint(count))
				}
				d.VCPU.Value = uint(count)
			} else {
				if uint(count) > d.VCPU.Value {
					return backend.InvalidArgument("requested vcpus is greater than max allowable vcpus for the domain: %d > %d", count, d.VCPU.Value)
				}
				d.VCPU.Current = uint(count)
			}
			if d.VCPU.Current == d.VCPU.Value {
				d.VCPU.Current = 0
			}
			return nil
		})
}

func (s domains) Metadata(ctx context.Context, name string, kind backend.MetadataKind, scope backend.Scope) (string, error) {
	v, err := s.c.view(ctx, name)
	if err != nil {
		return "", err
	}
	xml := v.xml()
	if scope.Config && v.def != "" {
		xml = v.def
	}
	if xml == "" {
		return "", backend.Plain(backend.CodeNotFound, "metadata not found: Requested metadata element is not present")
	}
	d, err := parseDomain(xml)
	if err != nil {
		return "", err
	}
	text := d.Description
	if kind == backend.MetadataTitle {
		text = d.Title
	}
	if text == "" {
		return "", backend.Plain(backend.CodeNotFound, "metadata not found: Requested metadata element is not present")
	}
	return text, nil
}

func (s domains) SetMetadata(ctx context.Context, name string, kind backend.MetadataKind, value string, scope backend.Scope) error {
	return s.c.edit(ctx, name, scope, nil, func(d *libvirtxml.Domain, _ bool) error {
		if kind == backend.MetadataTitle {
			d.Title = value
		} else {
			d.Description = value
		}
		return nil
	})
}

func (s domains) Rename(ctx context.Context, name, newName string) error {
	if err := backend.ValidateName("domain", newName); err != nil {
		return err
	}
	unlock, err := s.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	v, err := s.c.view(ctx, name)
	if err != nil {
		return err
	}
	if v.xl != nil {
		return backend.InvalidState("cannot rename active domain")
	}
	d, err := parseDomain(v.def)
	if err != nil {
		return err
	}
	d.Name = newName
	out, err := store.MarshalDomain(d)
	if err != nil {
		return err
	}
	if err := s.c.defs.Rename(name, newName); err != nil {
		return err
	}
	s.c.forget(name)
	return s.c.defs.Write(newName, out)
}
