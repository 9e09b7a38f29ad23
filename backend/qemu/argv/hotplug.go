package argv

import (
	"encoding/json"
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// DiskPlug is how one disk is hot-plugged into a running QEMU: the
// objects of blockdev-add, in order, and the properties of device_add.
// They come from the very code that writes the disk's -blockdev and
// -device options at start, so a hot-plugged disk is the disk a restart
// would give.
type DiskPlug struct {
	Blockdevs []json.RawMessage
	Device    map[string]string
	// XML is the disk as the live XML records it: with its PCI address.
	XML *libvirtxml.DomainDisk
}

// PCIUse is what the running QEMU's PCI bus has taken, from query-pci.
type PCIUse struct {
	Slots     []uint // slots of bus 0 with a device
	FreePorts []uint // indexes N of the pcie-root-ports (pci.N) with no device
}

// PlugDisk lays out disk d for hot-plug into running domain dom: its
// nodes are numbered node (libvirt-N-format, libvirt-N-storage: N unused
// in the running QEMU), and a disk without an address goes where
// hotplugAddress puts it. Only virtio disks can be hot-plugged.
func PlugDisk(dom *libvirtxml.Domain, d *libvirtxml.DomainDisk, node int, use PCIUse) (*DiskPlug, error) {
	if d.Target == nil || d.Target.Dev == "" {
		return nil, unsupported("a <disk> has no <target dev='...'>")
	}
	if bus := DiskBus(d); bus != "virtio" {
		return nil, unsupported("disk bus '%s' cannot be hotplugged.", bus)
	}
	b := hotplugBuilder(dom)
	disk := *d
	var err error
	if disk.Address, err = b.hotplugAddress("disk '"+d.Target.Dev+"'", d.Address, use); err != nil {
		return nil, err
	}
	if disk.Boot != nil {
		b.bootIndex[&disk] = int(disk.Boot.Order)
	}
	if err := b.disk(&disk, node); err != nil {
		return nil, err
	}
	p := &DiskPlug{XML: &disk}
	for i := 0; i+1 < len(b.devices); i += 2 {
		switch b.devices[i] {
		case "-blockdev":
			p.Blockdevs = append(p.Blockdevs, json.RawMessage(b.devices[i+1]))
		case "-device":
			p.Device = DeviceProps(b.devices[i+1])
		}
	}
	return p, nil
}

func hotplugBuilder(dom *libvirtxml.Domain) *builder {
	b := &builder{dom: dom, cmd: &Command{}, bootIndex: map[any]int{}, q35: IsQ35(machineOf(dom))}
	b.pci = newPCIBus(b.q35)
	return b
}

// hotplugAddress is the PCI address of a device hot-plugged into a
// running domain: the one its XML gives, unless QEMU has a device there;
// else, on pc (ACPI PCI hot-plug of pci.0), the first free slot of bus 0
// from 3 on; on q35 (PCI Express hot-plug), slot 0 of the first empty
// pcie-root-port: libvirt's rule that every device gets a port of its
// own, the port defined beforehand since ports cannot be hot-plugged.
func (b *builder) hotplugAddress(what string, a *libvirtxml.DomainAddress, use PCIUse) (*libvirtxml.DomainAddress, error) {
	zero := uint(0)
	switch {
	case a == nil && b.q35:
		for _, port := range use.FreePorts {
			if b.definesRootPort(port) {
				return &libvirtxml.DomainAddress{PCI: &libvirtxml.DomainAddressPCI{Domain: &zero, Bus: &port, Slot: &zero, Function: &zero}}, nil
			}
		}
		return nil, unsupported("%s: hot-plug on a q35 machine needs an empty pcie-root-port; add <controller type='pci' model='pcie-root-port'/> to the definition (one per device to hot-plug) and restart the domain", what)
	case a == nil:
		for _, s := range use.Slots {
			b.pci.used[s<<3] = true
		}
		slot, err := b.freeSlot(3)
		if err != nil {
			return nil, err
		}
		return &libvirtxml.DomainAddress{PCI: &libvirtxml.DomainAddressPCI{Domain: &zero, Bus: &zero, Slot: &slot, Function: &zero}}, nil
	case a.PCI != nil && uintOr(a.PCI.Bus, 0) == 0:
		for _, s := range use.Slots {
			if s == uintOr(a.PCI.Slot, 0) {
				return nil, unsupported("%s: PCI slot 0x%02x is in use", what, s)
			}
		}
	}
	return a, nil
}

// definesRootPort reports whether the XML defines pcie-root-port index.
func (b *builder) definesRootPort(index uint) bool {
	if b.dom.Devices == nil {
		return false
	}
	for _, c := range b.dom.Devices.Controllers {
		if c.Type == "pci" && c.Model == "pcie-root-port" && c.Index != nil && *c.Index == index {
			return true
		}
	}
	return false
}

// NICPlug is how one interface is hot-plugged: netdev_add's and
// device_add's arguments, and its tap when it has one (the caller plugs
// the tap and sets the netdev's "ifname").
type NICPlug struct {
	Netdev map[string]any
	Device map[string]string
	Tap    *Tap
	NIC    NIC
	// XML is the interface as the live XML records it: with its PCI address.
	XML *libvirtxml.DomainInterface
}

// PlugNIC lays out interface n for hot-plug into running domain dom as
// the index-th interface (its ids hostnetINDEX and netINDEX must be
// unused in the running QEMU), addressed as PlugDisk addresses disks.
func PlugNIC(dom *libvirtxml.Domain, n *libvirtxml.DomainInterface, index int, use PCIUse) (*NICPlug, error) {
	b := hotplugBuilder(dom)
	nic := *n
	var err error
	if nic.Address, err = b.hotplugAddress(fmt.Sprintf("interface %d", index), n.Address, use); err != nil {
		return nil, err
	}
	if nic.Boot != nil {
		b.bootIndex[&nic] = int(nic.Boot.Order)
	}
	if err := b.iface(index, &nic); err != nil {
		return nil, err
	}
	p := &NICPlug{NIC: b.cmd.NICs[0], XML: &nic, Device: DeviceProps(b.devices[3])}
	p.Netdev = map[string]any{"type": "user", "id": p.NIC.Netdev}
	if len(b.cmd.Taps) > 0 {
		p.Tap = &b.cmd.Taps[0]
		p.Netdev = map[string]any{"type": "tap", "id": p.NIC.Netdev, "script": "no", "downscript": "no", "vnet_hdr": true}
	}
	return p, nil
}

// DeviceProps splits a -device option (driver,key=value,...; a doubled
// comma is a literal one) into device_add's properties, the driver
// under "driver".
func DeviceProps(opt string) map[string]string {
	props := map[string]string{}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(opt); i++ {
		if opt[i] == ',' {
			if i+1 < len(opt) && opt[i+1] == ',' {
				cur.WriteByte(',')
				i++
				continue
			}
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(opt[i])
	}
	parts = append(parts, cur.String())
	props["driver"] = parts[0]
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		props[k] = v
	}
	return props
}

// StorageNode is the protocol node under a disk's format node
// (libvirt-N-format → libvirt-N-storage).
func StorageNode(formatNode string) string {
	return strings.TrimSuffix(formatNode, "-format") + "-storage"
}

// NodeNumber is N of a node named libvirt-N-format or libvirt-N-storage.
func NodeNumber(node string) (int, bool) {
	rest, ok := strings.CutPrefix(node, "libvirt-")
	if !ok {
		return 0, false
	}
	var n int
	var kind string
	if _, err := fmt.Sscanf(strings.Replace(rest, "-", " ", 1), "%d %s", &n, &kind); err != nil {
		return 0, false
	}
	return n, true
}
