package netdrv

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv/links"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// hostInterfaces is the host's interfaces (iface-* commands), read and
// changed through netlink in the calling process's network namespace.
// Changes are live only: virtsh keeps no interface definitions (libvirt's
// udev backend, which has none either, behaves the same).
type hostInterfaces struct{}

// Interfaces is the host interface service, which every hypervisor
// driver's connection offers as libvirt's interface driver does.
func Interfaces() backend.InterfaceService { return hostInterfaces{} }

func (hostInterfaces) List(context.Context) ([]backend.HostInterface, error) {
	ls, err := netlink.LinkList()
	if err != nil {
		return nil, backend.OperationFailed("cannot list interfaces: %v", err)
	}
	var out []backend.HostInterface
	for _, l := range ls {
		a := l.Attrs()
		if a.Flags&net.FlagLoopback != 0 {
			continue
		}
		out = append(out, backend.HostInterface{Name: a.Name, MAC: a.HardwareAddr.String(), Active: a.Flags&net.FlagUp != 0})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// link finds an interface by name or MAC address.
func link(nameOrMAC string) (netlink.Link, error) {
	if l, err := netlink.LinkByName(nameOrMAC); err == nil {
		return l, nil
	}
	if mac, err := net.ParseMAC(nameOrMAC); err == nil {
		ls, _ := netlink.LinkList()
		for _, l := range ls {
			if strings.EqualFold(l.Attrs().HardwareAddr.String(), mac.String()) {
				return l, nil
			}
		}
	}
	return nil, backend.NoInterface("couldn't find interface named '%s'", nameOrMAC)
}

func (hostInterfaces) Lookup(_ context.Context, nameOrMAC string) (backend.HostInterface, error) {
	l, err := link(nameOrMAC)
	if err != nil {
		return backend.HostInterface{}, err
	}
	a := l.Attrs()
	return backend.HostInterface{Name: a.Name, MAC: a.HardwareAddr.String(), Active: a.Flags&net.FlagUp != 0}, nil
}

func (hostInterfaces) XML(_ context.Context, name string, _ backend.XMLOptions) (string, error) {
	l, err := link(name)
	if err != nil {
		return "", err
	}
	x, err := interfaceXML(l).Marshal()
	if err != nil {
		return "", backend.Internal("cannot format interface '%s': %v", name, err)
	}
	return x + "\n", nil
}

// interfaceXML describes a link as libvirt's interface XML: type,
// MAC, MTU, link state, IPv4 addresses, and a bridge's ports.
func interfaceXML(l netlink.Link) *libvirtxml.Interface {
	a := l.Attrs()
	x := &libvirtxml.Interface{Name: a.Name, MTU: &libvirtxml.InterfaceMTU{Size: uint(a.MTU)}}
	if a.HardwareAddr != nil {
		x.MAC = &libvirtxml.InterfaceMAC{Address: a.HardwareAddr.String()}
	}
	state := "down"
	if a.Flags&net.FlagUp != 0 {
		state = "up"
	}
	x.Link = &libvirtxml.InterfaceLink{State: state}
	if addrs, err := netlink.AddrList(l, netlink.FAMILY_V4); err == nil && len(addrs) > 0 {
		p := libvirtxml.InterfaceProtocol{Family: "ipv4"}
		for _, ad := range addrs {
			ones, _ := ad.Mask.Size()
			p.IPs = append(p.IPs, libvirtxml.InterfaceIP{Address: ad.IP.String(), Prefix: uint(ones)})
		}
		x.Protocol = append(x.Protocol, p)
	}
	if br, ok := l.(*netlink.Bridge); ok {
		b := &libvirtxml.InterfaceBridge{}
		ls, _ := netlink.LinkList()
		for _, port := range ls {
			if port.Attrs().MasterIndex == br.Index {
				b.Interfaces = append(b.Interfaces, *interfaceXML(port))
			}
		}
		x.Bridge = b
	}
	return x
}

func (hostInterfaces) Start(_ context.Context, name string) error { return setLink(name, true) }

func (hostInterfaces) Destroy(_ context.Context, name string) error { return setLink(name, false) }

func setLink(name string, up bool) error {
	l, err := link(name)
	if err != nil {
		return err
	}
	if up {
		err = netlink.LinkSetUp(l)
	} else {
		err = netlink.LinkSetDown(l)
	}
	if err != nil {
		return backend.OperationFailed("cannot set interface '%s' %s: %v", name, map[bool]string{true: "up", false: "down"}[up], err)
	}
	return nil
}

// Bridge makes a bridge over iface (iface-bridge): the bridge takes
// iface's MAC, MTU, IPv4 addresses and the routes through it, and iface
// becomes its port. On failure iface is left as it was.
func (hostInterfaces) Bridge(_ context.Context, iface, bridge string, opts backend.BridgeOptions) (err error) {
	l, err := link(iface)
	if err != nil {
		return err
	}
	if _, ok := l.(*netlink.Bridge); ok {
		return backend.OperationFailed("interface '%s' is already a bridge", iface)
	}
	if l.Attrs().MasterIndex != 0 {
		return backend.OperationFailed("interface '%s' is already attached to a bridge", iface)
	}
	if _, err := netlink.LinkByName(bridge); err == nil {
		return backend.OperationFailed("Bridge name '%s' already exists", bridge)
	}
	a := l.Attrs()
	spec := links.Bridge{Name: bridge, MAC: a.HardwareAddr, MTU: a.MTU, STP: opts.STP, Delay: opts.Delay}
	if err := links.CreateBridge(spec); err != nil {
		return backend.OperationFailed("%v", err)
	}
	defer func() {
		if err != nil {
			moveAddresses(bridge, iface)
			netlink.LinkSetNoMaster(l)
			links.Delete(bridge)
		}
	}()
	if err := netlink.LinkSetMaster(l, mustLink(bridge)); err != nil {
		return backend.OperationFailed("cannot attach '%s' to bridge '%s': %v", iface, bridge, err)
	}
	if err := moveAddresses(iface, bridge); err != nil {
		return err
	}
	if !opts.NoStart {
		if err := netlink.LinkSetUp(mustLink(bridge)); err != nil {
			return backend.OperationFailed("cannot start bridge '%s': %v", bridge, err)
		}
		if err := netlink.LinkSetUp(l); err != nil {
			return backend.OperationFailed("cannot start '%s': %v", iface, err)
		}
	}
	return nil
}

// Unbridge deletes bridge (iface-unbridge), giving its IPv4 addresses
// and routes back to its one port, which is started unless noStart.
func (hostInterfaces) Unbridge(_ context.Context, bridge string, noStart bool) (string, error) {
	l, err := link(bridge)
	if err != nil {
		return "", err
	}
	if _, ok := l.(*netlink.Bridge); !ok {
		return "", backend.OperationFailed("interface '%s' is not a bridge", bridge)
	}
	var ports []netlink.Link
	ls, _ := netlink.LinkList()
	for _, p := range ls {
		if p.Attrs().MasterIndex == l.Attrs().Index {
			ports = append(ports, p)
		}
	}
	if len(ports) != 1 {
		return "", backend.OperationFailed("Bridge '%s' has %d attached devices: it needs exactly one to unbridge", bridge, len(ports))
	}
	port := ports[0]
	if err := netlink.LinkSetNoMaster(port); err != nil {
		return "", backend.OperationFailed("cannot detach '%s' from '%s': %v", port.Attrs().Name, bridge, err)
	}
	if !noStart {
		if err := netlink.LinkSetUp(port); err != nil {
			return "", backend.OperationFailed("cannot start '%s': %v", port.Attrs().Name, err)
		}
	}
	if err := moveAddresses(bridge, port.Attrs().Name); err != nil {
		return "", err
	}
	if err := links.Delete(bridge); err != nil {
		return "", backend.OperationFailed("%v", err)
	}
	return port.Attrs().Name, nil
}

func mustLink(name string) netlink.Link {
	l, _ := netlink.LinkByName(name)
	return l
}

// moveAddresses moves the IPv4 addresses of link from to link to, with
// the gateway routes that went through from.
func moveAddresses(from, to string) error {
	src, dst := mustLink(from), mustLink(to)
	if src == nil || dst == nil {
		return backend.OperationFailed("cannot find '%s' or '%s'", from, to)
	}
	addrs, err := netlink.AddrList(src, netlink.FAMILY_V4)
	if err != nil {
		return backend.OperationFailed("cannot read the addresses of '%s': %v", from, err)
	}
	routes, _ := netlink.RouteList(src, netlink.FAMILY_V4)
	for _, a := range addrs {
		if err := netlink.AddrDel(src, &a); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			return backend.OperationFailed("cannot remove address %s from '%s': %v", a.IPNet, from, err)
		}
		moved := netlink.Addr{IPNet: a.IPNet, Broadcast: a.Broadcast}
		if err := netlink.AddrAdd(dst, &moved); err != nil && !errors.Is(err, unix.EEXIST) {
			return backend.OperationFailed("cannot add address %s to '%s': %v", a.IPNet, to, err)
		}
	}
	if dst.Attrs().Flags&net.FlagUp == 0 {
		netlink.LinkSetUp(dst) // routes need the link up
	}
	for _, r := range routes {
		if r.Gw == nil {
			continue // the prefix routes come with the addresses
		}
		moved := netlink.Route{Dst: r.Dst, Gw: r.Gw, LinkIndex: dst.Attrs().Index, Priority: r.Priority, Table: r.Table, Protocol: r.Protocol}
		if err := netlink.RouteReplace(&moved); err != nil {
			return backend.OperationFailed("cannot move route to %v via %s to '%s': %v", r.Dst, r.Gw, to, err)
		}
	}
	return nil
}
