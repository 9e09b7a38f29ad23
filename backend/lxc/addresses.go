package lxc

import (
	"context"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// InterfaceAddresses implements backend.DomainAddresses (domifaddr) as
// libvirt's LXC driver does: from the DHCP leases of the networks the
// container's interfaces are on, or from the host's ARP table. Each
// interface is named by its host end (vethN), and only those with an
// address are listed.
func (s *domains) InterfaceAddresses(ctx context.Context, name string, source backend.AddressSource) ([]backend.InterfaceAddresses, error) {
	o, err := s.running(name)
	if err != nil {
		return nil, err
	}
	switch source {
	case backend.AddressFromLease:
		return s.leaseAddresses(ctx, o.def.Devices.Interfaces)
	case backend.AddressFromARP:
		return arpAddresses(o.def.Devices.Interfaces)
	}
	return nil, backend.Unsupported("containers have no guest agent: use --source lease or --source arp")
}

// leaseAddresses reads the leases of each type='network' interface's MAC
// (libvirt's virDomainNetDHCPInterfaces).
func (s *domains) leaseAddresses(ctx context.Context, ifaces []libvirtxml.DomainInterface) ([]backend.InterfaceAddresses, error) {
	var out []backend.InterfaceAddresses
	for i := range ifaces {
		iface := &ifaces[i]
		if iface.Source.Network == nil {
			continue
		}
		leases, err := s.c.nets.DHCPLeases(ctx, iface.Source.Network.Network, iface.MAC.Address)
		if err != nil {
			return nil, err
		}
		if len(leases) == 0 {
			continue
		}
		ia := backend.InterfaceAddresses{Name: hostDevice(iface), MAC: iface.MAC.Address}
		for _, l := range leases {
			ia.Addrs = append(ia.Addrs, backend.IPAddress{Type: l.Type, Addr: l.IPAddr, Prefix: l.Prefix})
		}
		out = append(out, ia)
	}
	return out, nil
}

// arpAddresses matches the interfaces' MACs against the host's IPv4
// neighbour table (libvirt's virDomainNetARPInterfaces; prefix 0, as
// there).
func arpAddresses(ifaces []libvirtxml.DomainInterface) ([]backend.InterfaceAddresses, error) {
	neighs, err := netlink.NeighList(0, unix.AF_INET)
	if err != nil {
		return nil, backend.OperationFailed("cannot read the ARP table: %v", err)
	}
	var out []backend.InterfaceAddresses
	for i := range ifaces {
		iface := &ifaces[i]
		ia := backend.InterfaceAddresses{Name: hostDevice(iface), MAC: iface.MAC.Address}
		for _, n := range neighs {
			if n.HardwareAddr != nil && strings.EqualFold(n.HardwareAddr.String(), iface.MAC.Address) &&
				n.State&(netlink.NUD_FAILED|netlink.NUD_INCOMPLETE) == 0 && n.IP.To4() != nil {
				ia.Addrs = append(ia.Addrs, backend.IPAddress{Type: "ipv4", Addr: n.IP.String()})
			}
		}
		if len(ia.Addrs) > 0 {
			out = append(out, ia)
		}
	}
	return out, nil
}

// hostDevice is an interface's host end, as the live XML records it.
func hostDevice(iface *libvirtxml.DomainInterface) string {
	if iface.Target != nil {
		return iface.Target.Dev
	}
	return ""
}
