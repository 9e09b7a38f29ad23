package argv

import (
	"fmt"

	"libvirt.org/go/libvirtxml"
)

// pciBus lays devices out on the PCI bus as libvirt does: on pc, one slot
// of pci.0 per device from slot 3 (slot 1 is the PIIX3, 2 the primary
// video card); on q35, one pcie-root-port per device (functions of slots
// 2, 3, ... of pcie.0; slot 1 is the primary video card), each device at
// 0x0 of its own port. Addresses written in the XML are honoured.
type pciBus struct {
	q35      bool
	used     map[uint]bool // slot<<3|function on bus 0
	buses    map[uint]bool // controller indexes defined (0 is the root)
	next     uint          // next controller index to create
	lastPort *uint         // slot<<3|function of the last root port placed automatically
	ports    int
}

func newPCIBus(q35 bool) *pciBus {
	p := &pciBus{q35: q35, used: map[uint]bool{0: true}, buses: map[uint]bool{0: true}, next: 1}
	if q35 {
		p.used[0x1f<<3] = true // LPC, SATA, SMBus
	} else {
		p.used[1<<3] = true // PIIX3
	}
	return p
}

func (p *pciBus) rootName() string {
	if p.q35 {
		return "pcie.0"
	}
	return "pci.0"
}

func busName(p *pciBus, bus uint) string {
	if bus == 0 {
		return p.rootName()
	}
	return fmt.Sprintf("pci.%d", bus)
}

func uintOr(p *uint, d uint) uint {
	if p == nil {
		return d
	}
	return *p
}

// reserve marks the bus-0 slots the XML assigns, before any automatic
// placement, and records the controllers the XML defines.
func (b *builder) reservePCI() error {
	d := b.dom.Devices
	if d == nil {
		return nil
	}
	for _, c := range d.Controllers {
		if c.Type == "pci" && c.Index != nil {
			b.pci.buses[*c.Index] = true
			b.pci.next = max(b.pci.next, *c.Index+1)
		}
	}
	for _, a := range addresses(d) {
		if a == nil || a.PCI == nil {
			continue
		}
		if uintOr(a.PCI.Domain, 0) != 0 {
			return unsupported("PCI domain %d is not supported; only domain 0 exists", *a.PCI.Domain)
		}
		bus := uintOr(a.PCI.Bus, 0)
		if !b.pci.buses[bus] {
			return unsupported("a device is on PCI bus %d, but no <controller type='pci' index='%d'> defines it", bus, bus)
		}
		if bus == 0 {
			key := uintOr(a.PCI.Slot, 0)<<3 | uintOr(a.PCI.Function, 0)
			if key == 0 || (!b.q35 && key == 1<<3) || (b.q35 && key == 0x1f<<3) {
				return unsupported("PCI slot 0x%02x of bus 0 is reserved for the machine's own devices", key>>3)
			}
			b.pci.used[key] = true
		}
	}
	return nil
}

func addresses(d *libvirtxml.DomainDeviceList) []*libvirtxml.DomainAddress {
	var out []*libvirtxml.DomainAddress
	for i := range d.Disks {
		out = append(out, d.Disks[i].Address)
	}
	for i := range d.Controllers {
		out = append(out, d.Controllers[i].Address)
	}
	for i := range d.Interfaces {
		out = append(out, d.Interfaces[i].Address)
	}
	for i := range d.Videos {
		out = append(out, d.Videos[i].Address)
	}
	for i := range d.Inputs {
		out = append(out, d.Inputs[i].Address)
	}
	for i := range d.RNGs {
		out = append(out, d.RNGs[i].Address)
	}
	if d.MemBalloon != nil {
		out = append(out, d.MemBalloon.Address)
	}
	return out
}

// pciAddr returns the ",bus=...,addr=..." of a PCI device: its XML address,
// or the next free place.
func (b *builder) pciAddr(a *libvirtxml.DomainAddress) (string, error) {
	if a != nil && a.PCI != nil {
		return fmt.Sprintf(",bus=%s,addr=%s", busName(b.pci, uintOr(a.PCI.Bus, 0)),
			slotFn(uintOr(a.PCI.Slot, 0), uintOr(a.PCI.Function, 0))), nil
	}
	if a != nil && (a.Drive != nil || a.USB != nil || a.VirtioSerial != nil || a.ISA != nil) {
		return "", unsupported("a PCI device has a non-PCI <address>")
	}
	if !b.pci.q35 {
		slot, err := b.freeSlot(3)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(",bus=pci.0,addr=%s", slotFn(slot, 0)), nil
	}
	port, err := b.rootPort()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(",bus=pci.%d,addr=0x0", port), nil
}

// freeSlot takes the first free slot of bus 0 from first on.
func (b *builder) freeSlot(first uint) (uint, error) {
	for s := first; s < 32; s++ {
		if !b.pci.used[s<<3] {
			b.pci.used[s<<3] = true
			return s, nil
		}
	}
	return 0, unsupported("no free PCI slot left on bus 0")
}

// rootPort adds a pcie-root-port for one device and returns its index.
// Ports fill the eight functions of a slot before taking the next one.
func (b *builder) rootPort() (uint, error) {
	var slot, fn uint
	if last := b.pci.lastPort; last != nil && *last&7 < 7 && !b.pci.used[*last+1] {
		slot, fn = *last>>3, *last&7+1
	} else {
		s, err := b.freeSlot(2)
		if err != nil {
			return 0, err
		}
		slot = s
	}
	key := slot<<3 | fn
	b.pci.used[key] = true
	b.pci.lastPort = &key
	index := b.pci.next
	b.pci.next++
	b.pci.buses[index] = true
	multi := ""
	if fn == 0 {
		multi = ",multifunction=on"
	}
	b.controllers = append(b.controllers, "-device",
		fmt.Sprintf("pcie-root-port,port=0x%x,chassis=%d,id=pci.%d,bus=pcie.0%s,addr=%s", 0x10+b.pci.ports, index, index, multi, slotFn(slot, fn)))
	b.pci.ports++
	return index, nil
}

func slotFn(slot, fn uint) string {
	if fn == 0 {
		return fmt.Sprintf("0x%x", slot)
	}
	return fmt.Sprintf("0x%x.0x%x", slot, fn)
}

// pciControllers emits the PCI controllers the XML defines.
func (b *builder) pciControllers() error {
	for _, c := range b.dom.Devices.Controllers {
		if c.Type != "pci" {
			continue
		}
		index := uintOr(c.Index, 0)
		switch c.Model {
		case "pci-root", "pcie-root":
			if index != 0 || (c.Model == "pcie-root") != b.q35 {
				return unsupported("<controller type='pci' model='%s'> does not fit machine type %s", c.Model, map[bool]string{true: "q35", false: "pc"}[b.q35])
			}
		case "pcie-root-port", "pci-bridge":
			if !b.q35 && c.Model == "pcie-root-port" {
				return unsupported("pcie-root-port controllers need a q35 machine")
			}
			var addr string
			if c.Address != nil && c.Address.PCI != nil {
				addr = fmt.Sprintf(",bus=%s,addr=%s", busName(b.pci, uintOr(c.Address.PCI.Bus, 0)),
					slotFn(uintOr(c.Address.PCI.Slot, 0), uintOr(c.Address.PCI.Function, 0)))
				if c.Address.PCI.MultiFunction == "on" {
					addr += ",multifunction=on"
				}
			} else {
				slot, err := b.freeSlot(2)
				if err != nil {
					return err
				}
				addr = fmt.Sprintf(",bus=%s,addr=%s", b.pci.rootName(), slotFn(slot, 0))
			}
			if c.Model == "pci-bridge" {
				b.controllers = append(b.controllers, "-device", fmt.Sprintf("pci-bridge,chassis_nr=%d,id=pci.%d%s", index, index, addr))
			} else {
				b.controllers = append(b.controllers, "-device", fmt.Sprintf("pcie-root-port,port=0x%x,chassis=%d,id=pci.%d%s", 0x10+b.pci.ports, index, index, addr))
				b.pci.ports++
			}
		default:
			return unsupported("PCI controller model '%s' is not supported; use pcie-root-port or pci-bridge", c.Model)
		}
	}
	return nil
}
