package argv

import (
	"fmt"
	"sort"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// nicModels are the NIC models this driver offers, by libvirt name.
var nicModels = map[string]string{
	"virtio": "virtio-net-pci", "e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139",
}

// InterfaceType is the type attribute libvirtxml turned into a source.
func InterfaceType(i *libvirtxml.DomainInterface) string {
	s := i.Source
	switch {
	case s == nil:
		return ""
	case s.User != nil:
		return "user"
	case s.Bridge != nil:
		return "bridge"
	case s.Network != nil:
		return "network"
	case s.Ethernet != nil:
		return "ethernet"
	case s.Direct != nil:
		return "direct"
	}
	return "other"
}

func (b *builder) interfaces() error {
	if b.dom.Devices == nil {
		return nil
	}
	for i := range b.dom.Devices.Interfaces {
		if err := b.iface(i, &b.dom.Devices.Interfaces[i]); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) iface(i int, n *libvirtxml.DomainInterface) error {
	if err := checkInterface(i, n); err != nil {
		return err
	}
	if n.MAC == nil || n.MAC.Address == "" {
		return unsupported("interface %d has no MAC address", i)
	}
	mac := strings.ToLower(n.MAC.Address)
	netdev := fmt.Sprintf("hostnet%d", i)
	switch t := InterfaceType(n); t {
	case "user":
		b.device("-netdev", "user,id="+netdev)
	case "bridge", "network":
		tap := Tap{Index: i, MAC: mac}
		if t == "bridge" {
			tap.Bridge = n.Source.Bridge.Bridge
		} else {
			tap.Network = n.Source.Network.Network
		}
		if tap.Bridge == "" && tap.Network == "" {
			return unsupported("interface %d: <source %s='...'/> names no %s", i, t, t)
		}
		if n.Target != nil {
			tap.Dev = n.Target.Dev
		}
		if n.MTU != nil {
			tap.MTU = n.MTU.Size
		}
		b.device("-netdev", fmt.Sprintf("tap,fd=%d,id=%s", 3+len(b.cmd.Taps), netdev))
		b.cmd.Taps = append(b.cmd.Taps, tap)
	default:
		return unsupported("interface %d: type '%s' is not supported; use bridge, network or user", i, t)
	}
	model := "rtl8139"
	if n.Model != nil && n.Model.Type != "" {
		model = n.Model.Type
	}
	driver, ok := nicModels[model]
	if !ok {
		return unsupported("interface %d: NIC model '%s' is not supported; use virtio, e1000, e1000e or rtl8139", i, model)
	}
	addr, err := b.pciAddr(n.Address)
	if err != nil {
		return err
	}
	id := fmt.Sprintf("net%d", i)
	extra := ""
	if n.MTU != nil && model == "virtio" {
		extra = fmt.Sprintf(",host_mtu=%d", n.MTU.Size)
	}
	if n.Link != nil && n.Link.State == "down" {
		extra += ",link_down=on"
	}
	b.device("-device", fmt.Sprintf("%s,netdev=%s,id=%s,mac=%s%s%s%s", driver, netdev, id, mac, extra, bootIndexOpt(b.bootIndex[n]), addr))
	b.cmd.NICs = append(b.cmd.NICs, NIC{Index: i, Type: InterfaceType(n), MAC: mac, Netdev: netdev, Device: id})
	return nil
}

func checkInterface(i int, n *libvirtxml.DomainInterface) error {
	var bad []string
	for name, present := range map[string]bool{
		"vlan": n.VLan != nil, "virtualport": n.VirtualPort != nil, "ip": len(n.IP) > 0,
		"route": len(n.Route) > 0, "portForward": len(n.PortForward) > 0, "script": n.Script != nil,
		"downscript": n.DownScript != nil, "guest": n.Guest != nil, "driver": n.Driver != nil,
		"backend": n.Backend != nil, "filterref": n.FilterRef != nil, "tune": n.Tune != nil,
		"teaming": n.Teaming != nil, "bandwidth": n.Bandwidth != nil, "port": n.PortOptions != nil,
		"coalesce": n.Coalesce != nil, "rom": n.ROM != nil, "backenddomain": n.BackendDomain != nil,
		"@trustGuestRxFilters": n.TrustGuestRXFilters != "",
	} {
		if present {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return unsupported("interface %d: not supported by this driver: %s", i, strings.Join(bad, ", "))
	}
	return nil
}

func sortStrings(s []string) { sort.Strings(s) }
