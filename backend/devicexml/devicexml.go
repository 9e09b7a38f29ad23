// Package devicexml reads the device XML of attach-device and
// detach-device and edits a domain definition with it the way libvirt's
// qemuDomainAttachDeviceConfig and qemuDomainDetachDeviceConfig do:
// duplicate disk targets and MAC addresses refused, disks matched by
// target or source, interfaces by MAC address. Drivers share it.
package devicexml

import (
	"encoding/xml"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xmlcheck"
	"libvirt.org/go/libvirtxml"
)

// Device is one parsed device: a disk or an interface.
type Device struct {
	Disk *libvirtxml.DomainDisk
	NIC  *libvirtxml.DomainInterface
}

// Parse reads a <disk> or <interface> element. XML that libvirtxml would
// silently lose part of is refused, naming the parts, since a device
// attached without them is not the one the user described.
func Parse(doc string) (Device, error) {
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		return Device{}, backend.XMLError("cannot parse the device XML: %v", err)
	}
	var dev Device
	var back string
	var err error
	switch root.XMLName.Local {
	case "disk":
		dev.Disk = &libvirtxml.DomainDisk{}
		if err := dev.Disk.Unmarshal(doc); err != nil {
			return Device{}, backend.XMLError("cannot parse the device XML: %v", err)
		}
		if dev.Disk.Target == nil || dev.Disk.Target.Dev == "" {
			return Device{}, backend.XMLError("missing target information for device %s", diskName(dev.Disk))
		}
		back, err = dev.Disk.Marshal()
	case "interface":
		dev.NIC = &libvirtxml.DomainInterface{}
		if err := dev.NIC.Unmarshal(doc); err != nil {
			return Device{}, backend.XMLError("cannot parse the device XML: %v", err)
		}
		back, err = dev.NIC.Marshal()
	default:
		return Device{}, backend.ConfigUnsupported("attaching or detaching <%s> is not supported: only <disk> and <interface> are", root.XMLName.Local)
	}
	if err != nil {
		return Device{}, backend.Internal("%v", err)
	}
	dropped, err := xmlcheck.Dropped(doc, back)
	if err != nil {
		return Device{}, backend.XMLError("%v", err)
	}
	if len(dropped) > 0 {
		return Device{}, backend.ConfigUnsupported("the device XML has elements or attributes virtsh does not know, which would be lost: %s", strings.Join(dropped, ", "))
	}
	return dev, nil
}

func diskName(d *libvirtxml.DomainDisk) string {
	if d.Source != nil && d.Source.File != nil {
		return d.Source.File.File
	}
	if d.Source != nil && d.Source.Block != nil {
		return d.Source.Block.Dev
	}
	return "disk"
}

// MAC is the interface's MAC address, "" when it has none.
func (d Device) MAC() string {
	if d.NIC == nil || d.NIC.MAC == nil {
		return ""
	}
	return d.NIC.MAC.Address
}

// Attach adds the device to dom, refusing a disk target or MAC address
// dom already has.
func Attach(dom *libvirtxml.Domain, dev Device) error {
	if dom.Devices == nil {
		dom.Devices = &libvirtxml.DomainDeviceList{}
	}
	if dev.Disk != nil {
		if DiskByTarget(dom, dev.Disk.Target.Dev) >= 0 {
			return backend.InvalidState("target %s already exists", dev.Disk.Target.Dev)
		}
		dom.Devices.Disks = append(dom.Devices.Disks, *dev.Disk)
		return nil
	}
	if mac := dev.MAC(); mac != "" {
		if len(NICs(dom, mac)) > 0 {
			return backend.InvalidArgument("network device with mac %s already exists", mac)
		}
	}
	dom.Devices.Interfaces = append(dom.Devices.Interfaces, *dev.NIC)
	return nil
}

// Detach removes the device from dom: a disk found by its target or
// source, an interface by its MAC address (any interface when the XML
// gives none, provided there is exactly one).
func Detach(dom *libvirtxml.Domain, dev Device) error {
	if dom.Devices == nil {
		dom.Devices = &libvirtxml.DomainDeviceList{}
	}
	if dev.Disk != nil {
		i := DiskByName(dom, dev.Disk.Target.Dev)
		if i < 0 {
			return DeviceMissing("no target device %s", dev.Disk.Target.Dev)
		}
		dom.Devices.Disks = append(dom.Devices.Disks[:i], dom.Devices.Disks[i+1:]...)
		return nil
	}
	i, err := NIC(dom, dev.MAC())
	if err != nil {
		return err
	}
	dom.Devices.Interfaces = append(dom.Devices.Interfaces[:i], dom.Devices.Interfaces[i+1:]...)
	return nil
}

// DiskByTarget is the index of the disk with target dev, or -1.
func DiskByTarget(dom *libvirtxml.Domain, target string) int {
	if dom.Devices == nil {
		return -1
	}
	for i, d := range dom.Devices.Disks {
		if d.Target != nil && d.Target.Dev == target {
			return i
		}
	}
	return -1
}

// DiskByName is the index of the disk whose target or source is name,
// or -1 (libvirt's virDomainDiskIndexByName).
func DiskByName(dom *libvirtxml.Domain, name string) int {
	if i := DiskByTarget(dom, name); i >= 0 {
		return i
	}
	if dom.Devices == nil {
		return -1
	}
	for i := range dom.Devices.Disks {
		if d := &dom.Devices.Disks[i]; d.Source != nil && diskName(d) == name {
			return i
		}
	}
	return -1
}

// NICs are the indexes of the interfaces with MAC address mac (all of
// them when mac is "").
func NICs(dom *libvirtxml.Domain, mac string) []int {
	var out []int
	if dom.Devices == nil {
		return nil
	}
	for i, n := range dom.Devices.Interfaces {
		if mac == "" || n.MAC != nil && strings.EqualFold(n.MAC.Address, mac) {
			out = append(out, i)
		}
	}
	return out
}

// NIC is the index of the one interface matching mac (libvirt's
// virDomainNetFindIdx), with libvirt's errors for none or several.
func NIC(dom *libvirtxml.Domain, mac string) (int, error) {
	found := NICs(dom, mac)
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && mac != "":
		return -1, DeviceMissing("no device matching MAC address %s found", mac)
	case len(found) == 0:
		return -1, DeviceMissing("no matching network device was found")
	case mac != "":
		return -1, backend.OperationFailed("multiple devices matching MAC address %s found", mac)
	}
	return -1, backend.OperationFailed("multiple matching devices found")
}

// DeviceMissing is libvirt's VIR_ERR_DEVICE_MISSING error.
func DeviceMissing(format string, args ...any) error {
	return backend.Plain(backend.CodeNotFound, "device not found: "+format, args...)
}
