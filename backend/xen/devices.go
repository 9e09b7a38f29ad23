package xen

import (
	"context"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/devicexml"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

func isHVM(d *libvirtxml.Domain) bool {
	kind, _ := xlconfig.GuestKind(d)
	return kind == "hvm"
}

// AttachDevice plugs a disk (xl block-attach) or an interface (xl
// network-attach) into a running domain and/or adds it to the
// definition.
func (s domains) AttachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	if dev.NIC != nil && dev.MAC() == "" {
		dev.NIC.MAC = &libvirtxml.DomainInterfaceMAC{Address: newXenMAC()}
	}
	var hvm bool
	return s.c.edit(ctx, name, scope,
		func(v *view) error {
			if dev.Disk != nil {
				spec, err := xlconfig.DiskFromXML(dev.Disk)
				if err != nil {
					return backend.ConfigUnsupported("%s", strings.TrimPrefix(err.Error(), "unsupported configuration: "))
				}
				_, err = s.c.xl(ctx, "block-attach", v.xl.Arg(), spec.String())
				return err
			}
			spec, err := xlconfig.VifFromInterface(dev.NIC, hvm, xlconfig.Options{NetworkBridge: s.c.networkBridge})
			if err != nil {
				return convError(err)
			}
			if _, err = s.c.xl(ctx, append([]string{"network-attach", v.xl.Arg()}, strings.Split(spec.String(), ",")...)...); err != nil {
				return err
			}
			return s.c.recordAttachedPort(ctx, v, dev.NIC)
		},
		func(d *libvirtxml.Domain, live bool) error {
			if live {
				hvm = isHVM(d)
			}
			return devicexml.Attach(d, dev)
		})
}

// DetachDevice unplugs a disk (matched by target) or an interface
// (matched by MAC address).
func (s domains) DetachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	if dev.NIC != nil && dev.MAC() == "" {
		return backend.InvalidArgument("the Xen driver detaches interfaces by MAC address: give <mac address='...'/>")
	}
	return s.c.edit(ctx, name, scope,
		func(v *view) error {
			if dev.Disk != nil {
				_, err := s.c.xl(ctx, "block-detach", v.xl.Arg(), dev.Disk.Target.Dev)
				return err
			}
			if _, err := s.c.xl(ctx, "network-detach", v.xl.Arg(), dev.MAC()); err != nil {
				return err
			}
			return s.c.releasePort(ctx, v.xl.UUID, dev.MAC())
		},
		func(d *libvirtxml.Domain, _ bool) error { return devicexml.Detach(d, dev) })
}
