package netdrv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv/dnsmasq"
	"github.com/virtsh/virtsh/backend/netdrv/links"
	"github.com/virtsh/virtsh/backend/netdrv/nft"
	"libvirt.org/go/libvirtxml"
)

// status is what an active network set up beyond its live definition:
// the handles of its firewall rules, so that stopping deletes exactly
// those.
type status struct {
	Rules []nft.Rule `json:"firewall_rules"`
}

func (d *Driver) statusPath(name string) string {
	return filepath.Join(d.dirs.Run, "live", name+".status.json")
}

func (d *Driver) readStatus(name string) (status, bool) {
	var st status
	b, err := os.ReadFile(d.statusPath(name))
	if err != nil || json.Unmarshal(b, &st) != nil {
		return st, false
	}
	return st, true
}

// rollback is the list of undo steps of a start, run in reverse order
// when a later step fails.
type rollback []func()

func (r *rollback) add(f func()) { *r = append(*r, f) }

func (r rollback) run() {
	for i := len(r) - 1; i >= 0; i-- {
		r[i]()
	}
}

// start builds an active network from def (specs/network.md "Start"),
// undoing every step already done when one fails. The live definition is
// written first, so that a virtsh killed half-way leaves a network that
// net-destroy can clean up.
func (d *Driver) start(_ context.Context, def *libvirtxml.Network) (err error) {
	def = cloneDef(def)
	name := def.Name
	var undo rollback
	defer func() {
		if err != nil {
			undo.run()
		}
	}()
	liveXML, err := formatDef(def)
	if err != nil {
		return err
	}
	if err := d.live.Write(name, liveXML); err != nil {
		return err
	}
	undo.add(func() {
		os.Remove(d.statusPath(name))
		d.live.Remove(name)
	})
	if forwardMode(def) == modeBridge {
		return d.startHostBridge(def)
	}
	var st status
	if err := d.buildBridge(def, &st, &undo); err != nil {
		return err
	}
	b, _ := json.Marshal(st)
	if err := fsutil.WriteAtomic(d.statusPath(name), b, 0o600); err != nil {
		return backend.OperationFailed("cannot save the state of network '%s': %v", name, err)
	}
	return nil
}

// startHostBridge is a network over an existing host bridge: only checks
// it, and turns VLAN filtering on for macTableManager='libvirt'.
func (d *Driver) startHostBridge(def *libvirtxml.Network) error {
	br := def.Bridge.Name
	if !links.IsBridge(br) {
		return backend.OperationFailed("bridge '%s' of network '%s' does not exist or is not a bridge", br, def.Name)
	}
	if macTableLibvirt(def) {
		return vlanFiltering(br)
	}
	return nil
}

func vlanFiltering(bridge string) error {
	if err := links.SetVlanFiltering(bridge); err != nil {
		if errors.Is(err, links.ErrNoVlanFiltering) {
			return backend.OperationFailed("Unable to set bridge %s vlan_filtering for macTableManager='libvirt': "+
				"this kernel was built without CONFIG_BRIDGE_VLAN_FILTERING; use macTableManager='kernel' or a kernel with that option", bridge)
		}
		return backend.OperationFailed("%v", err)
	}
	return nil
}

// buildBridge runs the steps of a nat, route, open or isolated network.
func (d *Driver) buildBridge(def *libvirtxml.Network, st *status, undo *rollback) error {
	name, br, mode := def.Name, def.Bridge.Name, forwardMode(def)
	var nets []*net.IPNet
	for i := range def.IPs {
		n := subnet(&def.IPs[i])
		if user, err := links.RouteUser(n); err != nil {
			return backend.OperationFailed("%v", err)
		} else if user != "" {
			return backend.Internal("Network is already in use by interface %s", user)
		}
		nets = append(nets, n)
	}
	if links.Exists(br) {
		return backend.OperationFailed("cannot create bridge '%s' for network '%s': a device of that name exists", br, name)
	}
	spec := links.Bridge{Name: br, STP: def.Bridge.STP != "off"}
	if def.Bridge.Delay != "" {
		delay, _ := strconv.ParseUint(def.Bridge.Delay, 10, 32)
		spec.Delay = uint32(delay)
	}
	if def.MAC != nil {
		spec.MAC, _ = net.ParseMAC(def.MAC.Address)
	}
	if def.MTU != nil {
		spec.MTU = int(def.MTU.Size)
	}
	if err := links.CreateBridge(spec); err != nil {
		return backend.OperationFailed("%v", err)
	}
	undo.add(func() { links.Delete(br) })
	for _, key := range []string{"disable_ipv6", "accept_ra", "autoconf"} {
		value := "0"
		if key == "disable_ipv6" {
			value = "1" // virtsh gives bridges no IPv6 address
		}
		if err := links.Sysctl("net/ipv6/conf/"+br+"/"+key, value); err != nil && !errors.Is(err, os.ErrNotExist) {
			return backend.OperationFailed("%v", err)
		}
	}
	if mode != modeOpen {
		rules, err := nft.Add(nft.Network{Name: name, Mode: mode, Bridge: br, Dev: forwardDev(def), Nets: nets})
		if err != nil {
			return backend.OperationFailed("%v", err)
		}
		undo.add(func() { nft.Delete(rules) })
		st.Rules = rules
	}
	for i := range def.IPs {
		addr, _ := ipNet(&def.IPs[i])
		if err := links.AddAddress(br, addr); err != nil {
			return backend.OperationFailed("%v", err)
		}
	}
	if macTableLibvirt(def) {
		if err := vlanFiltering(br); err != nil {
			return err
		}
	}
	if err := links.SetUp(br, true); err != nil {
		return backend.OperationFailed("%v", err)
	}
	undo.add(func() { links.SetUp(br, false) })
	for _, r := range def.Routes {
		if err := addRoute(r, br); err != nil {
			return err
		}
	}
	if mode != modeIsolated {
		// As libvirt, for every forward mode (open too: the host routes
		// its traffic, under the user's own firewall). Never turned back
		// off: other networks or the host may need it.
		if err := links.Sysctl("net/ipv4/ip_forward", "1"); err != nil {
			return backend.OperationFailed("%v", err)
		}
	}
	return d.startDnsmasq(def, undo)
}

func forwardDev(def *libvirtxml.Network) string {
	if def.Forward != nil {
		return def.Forward.Dev
	}
	return ""
}

func addRoute(r libvirtxml.NetworkRoute, br string) error {
	dst := net.ParseIP(r.Address).To4()
	gw := net.ParseIP(r.Gateway).To4()
	if dst == nil || gw == nil {
		return backend.XMLError("Invalid route address '%s' or gateway '%s'", r.Address, r.Gateway)
	}
	mask := net.CIDRMask(int(r.Prefix), 32)
	if r.Netmask != "" {
		mask = net.IPMask(net.ParseIP(r.Netmask).To4())
	}
	if err := links.AddRoute(&net.IPNet{IP: dst.Mask(mask), Mask: mask}, gw, br); err != nil {
		return backend.OperationFailed("%v", err)
	}
	return nil
}

// dnsmasqConfig is the dnsmasq configuration of def, and whether the
// network needs a dnsmasq at all (an IPv4 address and DHCP or DNS).
func dnsmasqConfig(def *libvirtxml.Network) (dnsmasq.Config, bool) {
	c := dnsmasq.Config{Network: def.Name, Bridge: def.Bridge.Name}
	if def.DNS != nil {
		c.DNSOff = def.DNS.Enable == "no"
		for _, f := range def.DNS.Forwarders {
			addr := f.Addr
			if f.Port != 0 {
				addr += "#" + strconv.Itoa(int(f.Port))
			}
			if addr == "" {
				addr = "#" // dnsmasq's "resolve this domain locally"
			}
			c.Forwarders = append(c.Forwarders, dnsmasq.Forwarder{Addr: addr, Domain: f.Domain})
		}
		for _, h := range def.DNS.Host {
			var names []string
			for _, n := range h.Hostnames {
				names = append(names, n.Hostname)
			}
			c.DNSHosts = append(c.DNSHosts, dnsmasq.DNSHost{IP: h.IP, Names: names})
		}
	}
	if def.Domain != nil {
		c.Domain, c.LocalOnly = def.Domain.Name, def.Domain.LocalOnly == "yes"
	}
	for i := range def.IPs {
		ip := &def.IPs[i]
		if ip.DHCP == nil {
			continue
		}
		n := subnet(ip)
		if c.Subnet == nil {
			c.Subnet = n
		}
		for _, r := range ip.DHCP.Ranges {
			c.Ranges = append(c.Ranges, dnsmasq.Range{
				Start: net.ParseIP(r.Start), End: net.ParseIP(r.End), Mask: n.Mask, Lease: leaseTime(r.Lease),
			})
		}
		for _, h := range ip.DHCP.Hosts {
			c.Hosts = append(c.Hosts, dnsmasq.Host{MAC: h.MAC, IP: h.IP, Name: h.Name})
		}
	}
	return c, len(def.IPs) > 0 && (!c.DNSOff || len(c.Ranges) > 0 || len(c.Hosts) > 0)
}

// leaseTime is a <lease expiry= unit=> in dnsmasq's words ("" for its
// default; expiry 0 is infinite).
func leaseTime(l *libvirtxml.NetworkDHCPLease) string {
	if l == nil {
		return ""
	}
	if l.Expiry == 0 {
		return "infinite"
	}
	unit := map[string]string{"seconds": "", "minutes": "m", "hours": "h"}[l.Unit]
	if l.Unit == "" {
		unit = "m" // libvirt's default unit
	}
	return fmt.Sprintf("%d%s", l.Expiry, unit)
}

func (d *Driver) startDnsmasq(def *libvirtxml.Network, undo *rollback) error {
	conf, needed := dnsmasqConfig(def)
	if !needed {
		return nil
	}
	files := d.dnsmasqFiles(def.Name)
	_, statErr := os.Stat(files.Leases)
	keepLeases := statErr == nil // leases of an earlier run stay
	self, err := os.Executable()
	if err != nil {
		return backend.Internal("cannot find the virtsh binary for dnsmasq's lease helper: %v", err)
	}
	undo.add(func() {
		for _, f := range files.All() {
			if f != files.Leases || !keepLeases {
				os.Remove(f)
			}
		}
	})
	if err := conf.Write(files, self); err != nil {
		return backend.OperationFailed("%v", err)
	}
	if _, err := dnsmasq.Start(files); err != nil {
		return backend.OperationFailed("%v", err)
	}
	undo.add(func() { dnsmasq.Stop(files) })
	return nil
}

// stop undoes start in reverse order (specs/network.md "Stop"): dnsmasq,
// bridge down, firewall rules, bridge, runtime state. It carries on past
// errors so that as much as possible is removed, and reports them.
func (d *Driver) stop(_ context.Context, def *libvirtxml.Network) error {
	name := def.Name
	var errs []error
	if forwardMode(def) != modeBridge {
		// dnsmasq exits while the bridge and rules are removed.
		waitDnsmasq := dnsmasq.Terminate(d.dnsmasqFiles(name))
		br := def.Bridge.Name
		if links.Exists(br) {
			links.SetUp(br, false)
		}
		// The rules and the bridge go in parallel: each removal waits for
		// the kernel's RCU grace periods, which then overlap.
		nftDone := make(chan error, 1)
		go func() { nftDone <- nft.Delete(d.recordedRules(name)) }()
		if err := links.Delete(br); err != nil {
			errs = append(errs, err)
		}
		if err := <-nftDone; err != nil {
			errs = append(errs, err)
		}
		if err := waitDnsmasq(); err != nil {
			errs = append(errs, err)
		}
	}
	os.Remove(d.statusPath(name))
	if err := d.live.Remove(name); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return backend.OperationFailed("stopping network '%s': %v", name, errors.Join(errs...))
	}
	return nil
}

// recordedRules are the network's rules from its status, or, when a
// start was cut short before saving it, found by their comment.
func (d *Driver) recordedRules(name string) []nft.Rule {
	if st, ok := d.readStatus(name); ok {
		return st.Rules
	}
	rules, _ := nft.Rules(name)
	return rules
}

func freeLinkName(pattern string, taken func(string) bool) (string, error) {
	return links.FreeName(pattern, taken)
}
