package qemu

// This file is the whole of the driver's own host networking: a tap for
// <interface type='bridge'>. When the network driver (backend/netdrv)
// lands, its port API replaces netlinkTaps behind tapPlugger, and
// <interface type='network'> plugs through it too.

import (
	"fmt"
	"net"
	"os"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"github.com/vishvananda/netlink"
)

// tapPlugger creates a guest interface's tap, attached to its bridge,
// and removes it again.
type tapPlugger interface {
	// Plug creates the tap for t and returns its name and the file QEMU
	// reads and writes the guest's frames through.
	Plug(t argv.Tap) (name string, f *os.File, err error)
	// Unplug removes the tap (a no-op if it is gone).
	Unplug(name string) error
}

// netlinkTaps plugs taps into host bridges with netlink. The taps are not
// persistent: the kernel removes one when its last file descriptor (in
// QEMU) closes, so a guest's tap goes with its QEMU even if nobody is
// left to clean up.
type netlinkTaps struct{}

func (netlinkTaps) Plug(t argv.Tap) (string, *os.File, error) {
	br, err := netlink.LinkByName(t.Bridge)
	if err != nil {
		return "", nil, backend.OperationFailed("cannot find bridge '%s' for interface %d: %v", t.Bridge, t.Index, err)
	}
	if br.Type() != "bridge" {
		return "", nil, backend.OperationFailed("'%s' is a %s, not a bridge", t.Bridge, br.Type())
	}
	guestMAC, err := net.ParseMAC(t.MAC)
	if err != nil {
		return "", nil, backend.InvalidArgument("interface %d: bad MAC address '%s'", t.Index, t.MAC)
	}
	la := netlink.NewLinkAttrs()
	la.Name = t.Dev
	if la.Name == "" || !validTapName(la.Name) {
		la.Name = "vnet%d"
	}
	tap := &netlink.Tuntap{
		LinkAttrs:  la,
		Mode:       netlink.TUNTAP_MODE_TAP,
		Flags:      netlink.TUNTAP_NO_PI | netlink.TUNTAP_VNET_HDR | netlink.TUNTAP_ONE_QUEUE,
		Queues:     1,
		NonPersist: true,
	}
	if err := netlink.LinkAdd(tap); err != nil {
		return "", nil, backend.OperationFailed("cannot create tap %s for interface %d: %v", la.Name, t.Index, err)
	}
	f := tap.Fds[0]
	fail := func(step string, err error) (string, *os.File, error) {
		f.Close()
		return "", nil, backend.OperationFailed("cannot %s tap %s: %v", step, tap.Name, err)
	}
	// The host side's MAC: the guest's with FE as first byte, so the
	// bridge never takes the tap's address as its own (libvirt does this).
	hostMAC := append(net.HardwareAddr{0xfe}, guestMAC[1:]...)
	link, err := netlink.LinkByName(tap.Name)
	if err != nil {
		return fail("find", err)
	}
	if err := netlink.LinkSetHardwareAddr(link, hostMAC); err != nil {
		return fail("set the MAC address of", err)
	}
	mtu := int(t.MTU)
	if mtu == 0 {
		mtu = br.Attrs().MTU
	}
	if err := netlink.LinkSetMTU(link, mtu); err != nil {
		return fail("set the MTU of", err)
	}
	if err := netlink.LinkSetMaster(link, br); err != nil {
		return fail(fmt.Sprintf("attach bridge %s to", t.Bridge), err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fail("bring up", err)
	}
	return tap.Name, f, nil
}

func (netlinkTaps) Unplug(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return nil
	}
	if _, ok := link.(*netlink.Tuntap); !ok {
		return nil // not ours (the name was reused)
	}
	return netlink.LinkDel(link)
}

// validTapName: a <target dev> libvirt would accept for a tap it creates
// (libvirt ignores names starting with vnet or macvtap and generates one).
func validTapName(n string) bool {
	if len(n) >= 16 || len(n) == 0 {
		return false
	}
	for _, p := range []string{"vnet", "macvtap", "macvlan"} {
		if len(n) >= len(p) && n[:len(p)] == p {
			return false
		}
	}
	return true
}
