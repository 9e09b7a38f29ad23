package xen

import (
	"context"
	"encoding/xml"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// device is one parsed device of attach-device or detach-device: a disk
// or an interface, the devices xl hot-plugs (block-attach,
// network-attach).
type device struct {
	disk *libvirtxml.DomainDisk
	nic  *libvirtxml.DomainInterface
}

func parseDevice(deviceXML string) (device, error) {
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal([]byte(deviceXML), &root); err != nil {
		return device{}, backend.XMLError("%v", err)
	}
	switch root.XMLName.Local {
	case "disk":
		d := &libvirtxml.DomainDisk{}
		if err := d.Unmarshal(deviceXML); err != nil {
			return device{}, backend.XMLError("%v", err)
		}
		if d.Target == nil || d.Target.Dev == "" {
			return device{}, backend.XMLError("missing target information for device %s", "disk")
		}
		return device{disk: d}, nil
	case "interface":
		n := &libvirtxml.DomainInterface{}
		if err := n.Unmarshal(deviceXML); err != nil {
			return device{}, backend.XMLError("%v", err)
		}
		return device{nic: n}, nil
	}
	return device{}, backend.ConfigUnsupported("the Xen driver hot-plugs disks and interfaces only, not <%s>", root.XMLName.Local)
}

func isHVM(d *libvirtxml.Domain) bool {
	kind, _ := xlconfig.GuestKind(d)
	return kind == "hvm"
}

// AttachDevice plugs a disk (xl block-attach) or an interface (xl
// network-attach) into a running domain and/or adds it to the
// definition.
func (s domains) AttachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := parseDevice(deviceXML)
	if err != nil {
		return err
	}
	if dev.nic != nil && (dev.nic.MAC == nil || dev.nic.MAC.Address == "") {
		dev.nic.MAC = &libvirtxml.DomainInterfaceMAC{Address: newXenMAC()}
	}
	var hvm bool
	return s.c.edit(ctx, name, scope,
		func(v *view) error {
			if dev.disk != nil {
				spec, err := xlconfig.DiskFromXML(dev.disk)
				if err != nil {
					return backend.ConfigUnsupported("%s", strings.TrimPrefix(err.Error(), "unsupported configuration: "))
				}
				_, err = s.c.xl(ctx, "block-attach", name, spec.String())
				return err
			}
			spec, err := xlconfig.VifFromInterface(dev.nic, hvm, xlconfig.Options{NetworkBridge: s.c.networkBridge})
			if err != nil {
				return convError(err)
			}
			if _, err = s.c.xl(ctx, append([]string{"network-attach", name}, strings.Split(spec.String(), ",")...)...); err != nil {
				return err
			}
			return s.c.recordAttachedPort(ctx, v, dev.nic)
		},
		func(d *libvirtxml.Domain, live bool) error {
			if live {
				hvm = isHVM(d)
			}
			if d.Devices == nil {
				d.Devices = &libvirtxml.DomainDeviceList{}
			}
			if dev.disk != nil {
				if findDisk(d, dev.disk.Target.Dev) >= 0 {
					return backend.OperationFailed("target %s already exists", dev.disk.Target.Dev)
				}
				d.Devices.Disks = append(d.Devices.Disks, *dev.disk)
				return nil
			}
			if findNIC(d, dev.nic.MAC.Address) >= 0 {
				return backend.OperationFailed("interface with MAC %s already exists", dev.nic.MAC.Address)
			}
			d.Devices.Interfaces = append(d.Devices.Interfaces, *dev.nic)
			return nil
		})
}

// DetachDevice unplugs a disk (matched by target) or an interface
// (matched by MAC address).
func (s domains) DetachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := parseDevice(deviceXML)
	if err != nil {
		return err
	}
	if dev.nic != nil && (dev.nic.MAC == nil || dev.nic.MAC.Address == "") {
		return backend.InvalidArgument("the Xen driver detaches interfaces by MAC address: give <mac address='...'/>")
	}
	return s.c.edit(ctx, name, scope,
		func(v *view) error {
			if dev.disk != nil {
				_, err := s.c.xl(ctx, "block-detach", name, dev.disk.Target.Dev)
				return err
			}
			if _, err := s.c.xl(ctx, "network-detach", name, dev.nic.MAC.Address); err != nil {
				return err
			}
			return s.c.releasePort(ctx, v.xl.UUID, dev.nic.MAC.Address)
		},
		func(d *libvirtxml.Domain, _ bool) error {
			if d.Devices == nil {
				d.Devices = &libvirtxml.DomainDeviceList{}
			}
			if dev.disk != nil {
				i := findDisk(d, dev.disk.Target.Dev)
				if i < 0 {
					return backend.OperationFailed("disk %s not found", dev.disk.Target.Dev)
				}
				d.Devices.Disks = append(d.Devices.Disks[:i], d.Devices.Disks[i+1:]...)
				return nil
			}
			i := findNIC(d, dev.nic.MAC.Address)
			if i < 0 {
				return backend.OperationFailed("no device matching MAC address %s found", dev.nic.MAC.Address)
			}
			d.Devices.Interfaces = append(d.Devices.Interfaces[:i], d.Devices.Interfaces[i+1:]...)
			return nil
		})
}

func findDisk(d *libvirtxml.Domain, target string) int {
	if d.Devices == nil {
		return -1
	}
	for i, disk := range d.Devices.Disks {
		if disk.Target != nil && disk.Target.Dev == target {
			return i
		}
	}
	return -1
}

func findNIC(d *libvirtxml.Domain, mac string) int {
	if d.Devices == nil {
		return -1
	}
	for i, n := range d.Devices.Interfaces {
		if n.MAC != nil && strings.EqualFold(n.MAC.Address, mac) {
			return i
		}
	}
	return -1
}
