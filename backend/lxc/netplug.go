package lxc

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"libvirt.org/go/libvirtxml"
)

// plugInterface plugs container interface index through the network
// driver's port API (libvirt's virLXCProcessSetupInterfaceTap): a veth
// pair whose host end (vethN or the <target dev>, with the FE: MAC, the
// bridge's or the interface's MTU and the network's port flags) is a port
// of the network or bridge the <source> names, recorded so that any
// virtsh can unplug it; the peer, with the guest MAC, is moved into the
// network namespace of process pid and named ethI (or the <guest dev>).
func plugInterface(ctx context.Context, nets *netdrv.Driver, dom *libvirtxml.Domain, pid, index int) (*netdrv.Port, error) {
	iface := &dom.Devices.Interfaces[index]
	spec := netdrv.PortSpec{Owner: dom.Name, OwnerUUID: dom.UUID, MAC: iface.MAC.Address}
	if src := iface.Source; src.Network != nil {
		spec.Network = src.Network.Network
	} else {
		spec.Bridge = src.Bridge.Bridge
	}
	if iface.MTU != nil {
		spec.MTU = int(iface.MTU.Size)
	}
	if iface.Target != nil {
		spec.Device = iface.Target.Dev
	}
	port, err := nets.PlugVeth(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := movePeer(port.Peer, pid, guestName(index, iface)); err != nil {
		nets.Unplug(ctx, port)
		return nil, err
	}
	return port, nil
}

// guestName is the container's name of interface index.
func guestName(index int, iface *libvirtxml.DomainInterface) string {
	if iface.Guest != nil && iface.Guest.Dev != "" {
		return iface.Guest.Dev
	}
	return "eth" + strconv.Itoa(index)
}

// movePeer moves link peer into the network namespace of process pid and
// renames it there.
func movePeer(peer string, pid int, name string) error {
	link, err := netlink.LinkByName(peer)
	if err != nil {
		return fmt.Errorf("cannot find the container end %s of the veth pair: %v", peer, err)
	}
	if err := netlink.LinkSetNsPid(link, pid); err != nil {
		return fmt.Errorf("cannot move %s into the container: %v", peer, err)
	}
	h, closeNS, err := handleAt(pid)
	if err != nil {
		return err
	}
	defer closeNS()
	if link, err = h.LinkByName(peer); err == nil {
		err = h.LinkSetName(link, name)
	}
	if err != nil {
		return fmt.Errorf("cannot name %s %s in the container: %v", peer, name, err)
	}
	return nil
}

// handleAt is a netlink handle in the network namespace of process pid.
func handleAt(pid int) (*netlink.Handle, func(), error) {
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open the container's network namespace: %v", err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot reach the container's network namespace: %v", err)
	}
	return h, h.Close, nil
}

// configureGuest brings the container's interfaces and loopback up with
// their <ip> addresses and <route>s, from the host, in the container's
// network namespace (libvirt's lxcContainerRenameAndEnableInterfaces).
func configureGuest(pid int, ifaces []libvirtxml.DomainInterface) error {
	h, closeNS, err := handleAt(pid)
	if err != nil {
		return err
	}
	defer closeNS()
	lo, err := h.LinkByName("lo")
	if err == nil {
		err = h.LinkSetUp(lo)
	}
	if err != nil {
		return fmt.Errorf("cannot bring up lo in the container: %v", err)
	}
	for i := range ifaces {
		iface := &ifaces[i]
		name := guestName(i, iface)
		link, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("container interface %s: %v", name, err)
		}
		for _, ip := range iface.IP {
			addr := net.ParseIP(ip.Address)
			bits := 32
			if addr.To4() == nil {
				bits = 128
			}
			prefix := int(ip.Prefix)
			if prefix == 0 {
				prefix = bits
			}
			ipn := &net.IPNet{IP: addr, Mask: net.CIDRMask(prefix, bits)}
			if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipn}); err != nil {
				return fmt.Errorf("cannot add address %s to %s: %v", ipn, name, err)
			}
		}
		if err := h.LinkSetUp(link); err != nil {
			return fmt.Errorf("cannot bring up %s in the container: %v", name, err)
		}
		for _, r := range iface.Route {
			route := netlink.Route{LinkIndex: link.Attrs().Index, Gw: net.ParseIP(r.Gateway), Priority: int(r.Metric)}
			if r.Address != "" {
				bits := 32
				if net.ParseIP(r.Address).To4() == nil {
					bits = 128
				}
				route.Dst = &net.IPNet{IP: net.ParseIP(r.Address), Mask: net.CIDRMask(int(r.Prefix), bits)}
			}
			if err := h.RouteAdd(&route); err != nil {
				return fmt.Errorf("cannot add the route via %s: %v", r.Gateway, err)
			}
		}
	}
	return nil
}
