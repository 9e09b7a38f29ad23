// Package links makes the kernel objects of virtual networks through
// netlink (github.com/vishvananda/netlink): bridges, their addresses and
// routes, guest taps and container veths, bridge-port flags and FDB
// entries, and the per-namespace sysctls. Everything acts in the calling
// thread's network namespace, so a virtsh run under `ip netns exec` (or a
// thread switched with netns.Set) builds its networks there.
package links

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// ErrNoVlanFiltering is returned by SetVlanFiltering on a kernel built
// without CONFIG_BRIDGE_VLAN_FILTERING.
var ErrNoVlanFiltering = errors.New("the kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING is not set)")

// Bridge describes a bridge to create.
type Bridge struct {
	Name  string
	MAC   net.HardwareAddr // nil: the kernel's random address
	MTU   int              // 0: the kernel's default
	STP   bool
	Delay uint32 // forward delay in seconds
}

// CreateBridge makes the bridge with its MAC, MTU, STP state and forward
// delay in one RTM_NEWLINK message (netlink.Bridge has no STP or delay
// fields). It fails if a link of that name exists.
func CreateBridge(b Bridge) error {
	req := nl.NewNetlinkRequest(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
	req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
	req.AddData(nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(b.Name)))
	if b.MAC != nil {
		req.AddData(nl.NewRtAttr(unix.IFLA_ADDRESS, b.MAC))
	}
	if b.MTU > 0 {
		req.AddData(nl.NewRtAttr(unix.IFLA_MTU, nl.Uint32Attr(uint32(b.MTU))))
	}
	info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
	info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated("bridge"))
	data := info.AddRtAttr(nl.IFLA_INFO_DATA, nil)
	// The kernel applies the delay before the STP state, so a delay below
	// STP's minimum is raised by the kernel rather than refused.
	data.AddRtAttr(nl.IFLA_BR_FORWARD_DELAY, nl.Uint32Attr(b.Delay*100)) // clock_t (USER_HZ)
	stp := uint32(0)
	if b.STP {
		stp = 1
	}
	data.AddRtAttr(nl.IFLA_BR_STP_STATE, nl.Uint32Attr(stp))
	req.AddData(info)
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return fmt.Errorf("cannot create bridge '%s': %w", b.Name, err)
	}
	return nil
}

// SetVlanFiltering turns VLAN filtering on for bridge (what
// macTableManager='libvirt' needs). A kernel without it answers
// EOPNOTSUPP or EINVAL: that becomes ErrNoVlanFiltering.
func SetVlanFiltering(bridge string) error {
	l, err := netlink.LinkByName(bridge)
	if err != nil {
		return fmt.Errorf("cannot find bridge '%s': %w", bridge, err)
	}
	br, ok := l.(*netlink.Bridge)
	if !ok {
		return fmt.Errorf("'%s' is not a bridge", bridge)
	}
	err = netlink.BridgeSetVlanFiltering(br, true)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
		err = ErrNoVlanFiltering
	}
	if err != nil {
		return fmt.Errorf("unable to set bridge %s vlan_filtering: %w", bridge, err)
	}
	return nil
}

// IsBridge reports whether name is an existing bridge.
func IsBridge(name string) bool {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return false
	}
	_, ok := l.(*netlink.Bridge)
	return ok
}

// Exists reports whether a link called name exists.
func Exists(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

// Delete removes the link name; a link that is already gone is not an
// error.
func Delete(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return err
	}
	if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("cannot delete '%s': %w", name, err)
	}
	return nil
}

// SetUp brings link name up (or down).
func SetUp(name string, up bool) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	if up {
		err = netlink.LinkSetUp(l)
	} else {
		err = netlink.LinkSetDown(l)
	}
	if err != nil {
		return fmt.Errorf("cannot set '%s' %s: %w", name, map[bool]string{true: "up", false: "down"}[up], err)
	}
	return nil
}

// AddAddress gives link name the address addr (with its prefix).
func AddAddress(name string, addr *net.IPNet) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	a := &netlink.Addr{IPNet: addr}
	if addr.IP.To4() != nil {
		a.Broadcast = broadcast(addr)
	}
	if err := netlink.AddrAdd(l, a); err != nil {
		return fmt.Errorf("cannot add address %s to '%s': %w", addr, name, err)
	}
	return nil
}

func broadcast(n *net.IPNet) net.IP {
	ip := n.IP.To4()
	out := make(net.IP, 4)
	for i := range out {
		out[i] = ip[i] | ^n.Mask[len(n.Mask)-4+i]
	}
	return out
}

// AddRoute adds a static route to dst via gw (on link dev when given).
func AddRoute(dst *net.IPNet, gw net.IP, dev string) error {
	r := &netlink.Route{Dst: dst, Gw: gw}
	if dev != "" {
		l, err := netlink.LinkByName(dev)
		if err != nil {
			return err
		}
		r.LinkIndex = l.Attrs().Index
	}
	if err := netlink.RouteAdd(r); err != nil {
		return fmt.Errorf("cannot add route to %s via %s: %w", dst, gw, err)
	}
	return nil
}

// RouteUser returns the name of the interface that has a route whose
// destination and mask equal n, or "" (libvirt's
// networkCheckRouteCollision).
func RouteUser(n *net.IPNet) (string, error) {
	family := netlink.FAMILY_V4
	if n.IP.To4() == nil {
		family = netlink.FAMILY_V6
	}
	var routes []netlink.Route
	var err error
	for range 3 { // a dump interrupted by a change is retried
		routes, err = netlink.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("cannot list routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst != nil && r.Dst.IP.Equal(n.IP) && r.Dst.Mask.String() == n.Mask.String() {
			if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
				return l.Attrs().Name, nil
			}
			return fmt.Sprintf("index %d", r.LinkIndex), nil
		}
	}
	return "", nil
}

// FreeName returns the first name made from pattern ("virbr%d") that no
// link has and that taken does not exclude.
func FreeName(pattern string, taken func(string) bool) (string, error) {
	for i := range 1024 {
		name := fmt.Sprintf(pattern, i)
		if !Exists(name) && (taken == nil || !taken(name)) {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free interface name of the form %s", pattern)
}

// Sysctl writes value to /proc/sys/PATH (PATH with slashes, so that
// interface names with dots work: "net/ipv6/conf/eth0.10/accept_ra").
// /proc/sys/net belongs to the calling thread's network namespace.
func Sysctl(path, value string) error {
	if err := os.WriteFile(filepath.Join("/proc/sys", path), []byte(value), 0o644); err != nil {
		return fmt.Errorf("cannot set %s to %s: %w", path, value, err)
	}
	return nil
}

// ReadSysctl reads /proc/sys/PATH.
func ReadSysctl(path string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc/sys", path))
	return strings.TrimSpace(string(b)), err
}
