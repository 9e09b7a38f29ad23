package lxc

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/virtsh/virtsh/backend"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// portPlugger connects the host end of a container interface to what the
// interface's <source> names, and disconnects it. It is the one place
// where the network driver's port API is wired in: a type='network'
// interface needs a port of a virtual network (libvirt's
// virNetworkPortCreateXML), which backend/netdrv provides.
type portPlugger interface {
	Plug(domain string, iface *libvirtxml.DomainInterface, hostDev string) error
	Unplug(domain string, iface *libvirtxml.DomainInterface, hostDev string) error
}

// plugger is the driver's portPlugger: bridges directly; networks once
// the network driver is wired in.
var plugger portPlugger = bridgePlugger{}

// bridgePlugger attaches type='bridge' interfaces to an existing host
// bridge with netlink.
type bridgePlugger struct{}

func (bridgePlugger) Plug(domain string, iface *libvirtxml.DomainInterface, hostDev string) error {
	if iface.Source.Network != nil {
		return backend.Unsupported("interface of type 'network' (network '%s') needs the network driver network:///system, which this build does not wire into lxc:///system yet; use <interface type='bridge'>", iface.Source.Network.Network)
	}
	br, err := netlink.LinkByName(iface.Source.Bridge.Bridge)
	if err != nil {
		return fmt.Errorf("bridge %s: %v", iface.Source.Bridge.Bridge, err)
	}
	if _, ok := br.(*netlink.Bridge); !ok {
		return fmt.Errorf("%s is not a bridge", iface.Source.Bridge.Bridge)
	}
	link, err := netlink.LinkByName(hostDev)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetMaster(link, br); err != nil {
		return fmt.Errorf("cannot attach %s to bridge %s: %v", hostDev, br.Attrs().Name, err)
	}
	return netlink.LinkSetUp(link)
}

func (bridgePlugger) Unplug(string, *libvirtxml.DomainInterface, string) error { return nil }

// createVeth makes a veth pair for one interface: the host end named
// vethN (the first free N, as libvirt's virNetDevVethCreate), the other
// end created directly in the container's network namespace as ethI
// (or the <guest dev>) with the interface's MAC.
func createVeth(pid, index int, iface *libvirtxml.DomainInterface) (string, error) {
	guest := "eth" + strconv.Itoa(index)
	if iface.Guest != nil && iface.Guest.Dev != "" {
		guest = iface.Guest.Dev
	}
	mac, err := net.ParseMAC(iface.MAC.Address)
	if err != nil {
		return "", err
	}
	for n := 0; n < 1024; n++ {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = "veth" + strconv.Itoa(n)
		if iface.MTU != nil {
			attrs.MTU = int(iface.MTU.Size)
		}
		v := &netlink.Veth{LinkAttrs: attrs, PeerName: guest, PeerHardwareAddr: mac, PeerNamespace: netlink.NsPid(pid)}
		err := netlink.LinkAdd(v)
		if errors.Is(err, unix.EEXIST) {
			if _, lerr := netlink.LinkByName(attrs.Name); lerr == nil {
				continue // the host name is taken: try the next
			}
			return "", fmt.Errorf("cannot create interface %s in the container: it exists", guest)
		}
		if err != nil {
			return "", fmt.Errorf("cannot create a veth pair: %v", err)
		}
		return attrs.Name, nil
	}
	return "", errors.New("no free veth name")
}

// configureGuest brings the container's interfaces and loopback up with
// their <ip> addresses and <route>s, from the host, in the container's
// network namespace (libvirt's lxcContainerRenameAndEnableInterfaces).
func configureGuest(pid int, ifaces []libvirtxml.DomainInterface) error {
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Errorf("cannot open the container's network namespace: %v", err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("cannot reach the container's network namespace: %v", err)
	}
	defer h.Close()
	lo, err := h.LinkByName("lo")
	if err == nil {
		err = h.LinkSetUp(lo)
	}
	if err != nil {
		return fmt.Errorf("cannot bring up lo in the container: %v", err)
	}
	for i := range ifaces {
		iface := &ifaces[i]
		name := "eth" + strconv.Itoa(i)
		if iface.Guest != nil && iface.Guest.Dev != "" {
			name = iface.Guest.Dev
		}
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

// deleteVeth removes a host end (and with it the container end) if it
// still exists.
func deleteVeth(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return err
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("cannot delete %s: %v", name, err)
	}
	return nil
}
