package links

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// HostMAC is the MAC of the host side of a guest interface: the guest's
// MAC with its first byte replaced by 0xFE (0xFA when the guest's already
// is 0xFE), so that the bridge, which takes the lowest port MAC, never
// takes the guest's (libvirt's virDomainNetGetActualHostMAC...).
func HostMAC(guest net.HardwareAddr) net.HardwareAddr {
	out := append(net.HardwareAddr(nil), guest...)
	if out[0] == 0xFE {
		out[0] = 0xFA
	} else {
		out[0] = 0xFE
	}
	return out
}

// Tap is a created tap device: its name and, unless persistent, the open
// queue files whose closing deletes it.
type Tap struct {
	Name  string
	Files []*os.File
}

// CreateTap makes a tap (IFF_TAP|IFF_NO_PI, with IFF_VNET_HDR for virtio)
// named name (a pattern such as "vnet%d" picks the first free number)
// with the given MAC and MTU. A persistent tap outlives its files; a
// non-persistent one disappears when the last holder (QEMU) closes it.
func CreateTap(name string, mac net.HardwareAddr, mtu int, vnetHdr, persistent bool) (*Tap, error) {
	flags := netlink.TUNTAP_NO_PI | netlink.TUNTAP_ONE_QUEUE
	if vnetHdr {
		flags |= netlink.TUNTAP_VNET_HDR
	}
	t := &netlink.Tuntap{
		LinkAttrs:  netlink.NewLinkAttrs(),
		Mode:       netlink.TUNTAP_MODE_TAP,
		Flags:      flags,
		Queues:     1,
		NonPersist: !persistent,
	}
	t.Name = name
	if err := netlink.LinkAdd(t); err != nil {
		return nil, fmt.Errorf("cannot create tap %s: %w", name, err)
	}
	tap := &Tap{Name: t.Name, Files: t.Fds}
	if err := configure(t, mac, mtu); err != nil {
		tap.Close()
		Delete(t.Name)
		return nil, err
	}
	if persistent {
		tap.Close()
	}
	return tap, nil
}

// Close closes the tap's files (deleting a non-persistent tap).
func (t *Tap) Close() {
	for _, f := range t.Files {
		f.Close()
	}
	t.Files = nil
}

// CreateVeth makes a veth pair: host (on which the bridge port is made,
// with hostMAC) and peer (the container's end, with peerMAC), both with
// MTU mtu when non-zero. Deleting either end deletes both.
func CreateVeth(host, peer string, hostMAC, peerMAC net.HardwareAddr, mtu int) error {
	v := &netlink.Veth{LinkAttrs: netlink.NewLinkAttrs(), PeerName: peer, PeerHardwareAddr: peerMAC}
	v.Name = host
	v.HardwareAddr = hostMAC
	if mtu > 0 {
		v.MTU = mtu
		v.PeerMTU = uint32(mtu)
	}
	if err := netlink.LinkAdd(v); err != nil {
		return fmt.Errorf("cannot create veth pair %s/%s: %w", host, peer, err)
	}
	return nil
}

func configure(l netlink.Link, mac net.HardwareAddr, mtu int) error {
	if mac != nil {
		if err := netlink.LinkSetHardwareAddr(l, mac); err != nil {
			return fmt.Errorf("cannot set MAC %s on %s: %w", mac, l.Attrs().Name, err)
		}
	}
	if mtu > 0 {
		if err := netlink.LinkSetMTU(l, mtu); err != nil {
			return fmt.Errorf("cannot set MTU %d on %s: %w", mtu, l.Attrs().Name, err)
		}
	}
	return nil
}

// MTU returns link name's MTU.
func MTU(name string) (int, error) {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return 0, err
	}
	return l.Attrs().MTU, nil
}

// PortFlags are the bridge-port settings of a guest port.
type PortFlags struct {
	// NoLearning and NoUnicastFlood turn learning and unicast flooding
	// off (macTableManager='libvirt'): the bridge then forwards to the
	// guest only through the static FDB entries of its MACs.
	NoLearning, NoUnicastFlood bool
}

// Enslave sets link port's MTU (when non-zero), attaches it to bridge,
// applies the port flags and brings it up.
func Enslave(port, bridge string, mtu int, flags PortFlags) error {
	l, err := netlink.LinkByName(port)
	if err != nil {
		return err
	}
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		return fmt.Errorf("cannot find bridge '%s': %w", bridge, err)
	}
	if err := configure(l, nil, mtu); err != nil {
		return err
	}
	if err := netlink.LinkSetMaster(l, br); err != nil {
		return fmt.Errorf("cannot attach %s to bridge %s: %w", port, bridge, err)
	}
	if flags.NoLearning {
		if err := netlink.LinkSetLearning(l, false); err != nil {
			return fmt.Errorf("cannot turn learning off on bridge port %s: %w", port, err)
		}
	}
	if flags.NoUnicastFlood {
		if err := netlink.LinkSetFlood(l, false); err != nil {
			return fmt.Errorf("cannot turn unicast flooding off on bridge port %s: %w", port, err)
		}
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("cannot set %s up: %w", port, err)
	}
	return nil
}

// Release detaches port from its bridge (iface-unbridge).
func Release(port string) error {
	l, err := netlink.LinkByName(port)
	if err != nil {
		return err
	}
	return netlink.LinkSetNoMaster(l)
}

// fdbEntry is the static FDB entry of guest MAC mac on bridge port port,
// as libvirt's virNetDevBridgeFDBAdd makes it: NTF_MASTER (the bridge's
// table, not the port's own), NUD_NOARP|NUD_REACHABLE (static, never
// NUD_PERMANENT, which would make a local entry), no VLAN.
func fdbEntry(port string, mac net.HardwareAddr) (*netlink.Neigh, error) {
	l, err := netlink.LinkByName(port)
	if err != nil {
		return nil, err
	}
	return &netlink.Neigh{
		LinkIndex:    l.Attrs().Index,
		Family:       unix.AF_BRIDGE,
		Flags:        netlink.NTF_MASTER,
		State:        netlink.NUD_NOARP | netlink.NUD_REACHABLE,
		HardwareAddr: mac,
	}, nil
}

// AddFDB adds the static FDB entry of mac on port; one that exists is
// fine.
func AddFDB(port string, mac net.HardwareAddr) error {
	n, err := fdbEntry(port, mac)
	if err == nil {
		err = netlink.NeighAdd(n)
	}
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("cannot add FDB entry %s on %s: %w", mac, port, err)
	}
	return nil
}

// DelFDB removes the static FDB entry of mac on port; one that is gone
// (or a port that is gone, which drops its entries) is fine.
func DelFDB(port string, mac net.HardwareAddr) error {
	n, err := fdbEntry(port, mac)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return nil
	}
	if err == nil {
		err = netlink.NeighDel(n)
	}
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("cannot delete FDB entry %s on %s: %w", mac, port, err)
	}
	return nil
}

// FDBEntry is one entry of a bridge's forwarding table.
type FDBEntry struct {
	MAC    net.HardwareAddr
	Master bool // in the bridge's table (NTF_MASTER)
	Static bool // NUD_NOARP: never ages
	Local  bool // NUD_PERMANENT: the host's own address
}

// FDB lists the forwarding entries of bridge port port.
func FDB(port string) ([]FDBEntry, error) {
	l, err := netlink.LinkByName(port)
	if err != nil {
		return nil, err
	}
	neighs, err := netlink.NeighList(l.Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		return nil, err
	}
	var out []FDBEntry
	for _, n := range neighs {
		out = append(out, FDBEntry{
			MAC:    n.HardwareAddr,
			Master: n.Flags&netlink.NTF_MASTER != 0 || n.MasterIndex != 0,
			Static: n.State&netlink.NUD_NOARP != 0,
			Local:  n.State&netlink.NUD_PERMANENT != 0,
		})
	}
	return out, nil
}

// PortState is what a bridge port reports of its flags.
type PortState struct {
	Master                 string
	Learning, UnicastFlood bool
}

// Port returns the bridge and flags of bridge port port.
func Port(port string) (PortState, error) {
	l, err := netlink.LinkByName(port)
	if err != nil {
		return PortState{}, err
	}
	var st PortState
	if idx := l.Attrs().MasterIndex; idx != 0 {
		if m, err := netlink.LinkByIndex(idx); err == nil {
			st.Master = m.Attrs().Name
		}
	}
	pi, err := netlink.LinkGetProtinfo(l)
	if err != nil {
		return st, err
	}
	st.Learning, st.UnicastFlood = pi.Learning, pi.Flood
	return st, nil
}
