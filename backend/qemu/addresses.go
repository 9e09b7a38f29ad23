package qemu

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// InterfaceAddresses implements backend.DomainAddresses (domifaddr): from
// the guest agent, or from the host's ARP table as libvirt does (each
// neighbour with a guest interface's MAC, prefix 0), or from the DHCP
// leases of the virtual networks the interfaces are on.
func (d *domains) InterfaceAddresses(ctx context.Context, name string, source backend.AddressSource) ([]backend.InterfaceAddresses, error) {
	switch source {
	case backend.AddressFromAgent:
		if _, err := d.runningDomain(name); err != nil {
			return nil, err
		}
		return d.agentAddresses(name)
	case backend.AddressFromARP:
		return d.arpAddresses(name)
	}
	return d.leaseAddresses(ctx, name)
}

// leaseAddresses reads the leases of each type='network' interface's MAC
// (libvirt's virDomainNetDHCPInterfaces); only interfaces with a lease
// are listed, named by their tap.
func (d *domains) leaseAddresses(ctx context.Context, name string) ([]backend.InterfaceAddresses, error) {
	dom, err := d.runningDomain(name)
	if err != nil {
		return nil, err
	}
	if dom.Devices == nil {
		return nil, nil
	}
	var out []backend.InterfaceAddresses
	for _, i := range dom.Devices.Interfaces {
		if i.Source == nil || i.Source.Network == nil || i.MAC == nil {
			continue
		}
		if d.c.nets == nil {
			return nil, errNetworks()
		}
		leases, err := d.c.nets.DHCPLeases(ctx, i.Source.Network.Network, i.MAC.Address)
		if err != nil {
			return nil, err
		}
		if len(leases) == 0 {
			continue
		}
		ia := backend.InterfaceAddresses{MAC: i.MAC.Address}
		if i.Target != nil {
			ia.Name = i.Target.Dev
		}
		for _, l := range leases {
			ia.Addrs = append(ia.Addrs, backend.IPAddress{Type: l.Type, Addr: l.IPAddr, Prefix: l.Prefix})
		}
		out = append(out, ia)
	}
	return out, nil
}

func (d *domains) arpAddresses(name string) ([]backend.InterfaceAddresses, error) {
	dom, err := d.runningDomain(name)
	if err != nil {
		return nil, err
	}
	neighs, err := netlink.NeighList(0, netlink.FAMILY_V4)
	if err != nil {
		return nil, backend.OperationFailed("cannot read the ARP table: %v", err)
	}
	var out []backend.InterfaceAddresses
	for _, i := range dom.Devices.Interfaces {
		if i.MAC == nil {
			continue
		}
		dev := ""
		if i.Target != nil {
			dev = i.Target.Dev
		}
		for _, n := range neighs {
			if n.State&(unix.NUD_INCOMPLETE|unix.NUD_FAILED) != 0 || n.IP == nil || !strings.EqualFold(n.HardwareAddr.String(), i.MAC.Address) {
				continue
			}
			out = append(out, backend.InterfaceAddresses{Name: dev, MAC: i.MAC.Address,
				Addrs: []backend.IPAddress{{Type: "ipv4", Addr: n.IP.String()}}})
		}
	}
	return out, nil
}

// agentInterface is one entry of guest-network-get-interfaces.
type agentInterface struct {
	Name  string `json:"name"`
	MAC   string `json:"hardware-address"`
	Addrs []struct {
		Type   string `json:"ip-address-type"`
		Addr   string `json:"ip-address"`
		Prefix int    `json:"prefix"`
	} `json:"ip-addresses"`
}

func (d *domains) agentAddresses(name string) ([]backend.InterfaceAddresses, error) {
	ret, err := d.agent(name, request{Op: opAgent, Command: json.RawMessage(`{"execute":"guest-network-get-interfaces"}`)})
	if err != nil {
		return nil, err
	}
	var ifaces []agentInterface
	if err := json.Unmarshal(ret, &ifaces); err != nil {
		return nil, backend.OperationFailed("bad answer to guest-network-get-interfaces: %v", err)
	}
	out := make([]backend.InterfaceAddresses, 0, len(ifaces))
	for _, i := range ifaces {
		a := backend.InterfaceAddresses{Name: i.Name, MAC: i.MAC}
		for _, ip := range i.Addrs {
			a.Addrs = append(a.Addrs, backend.IPAddress{Type: ip.Type, Addr: ip.Addr, Prefix: ip.Prefix})
		}
		out = append(out, a)
	}
	return out, nil
}
