package netdrv

import (
	"context"
	"encoding/xml"
	"net"
	"os"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv/dnsmasq"
	"libvirt.org/go/libvirtxml"
)

// Update changes the DHCP hosts or ranges of a network (net-update,
// libvirt's virNetworkDefUpdateSection for ip-dhcp-host and
// ip-dhcp-range): in its persistent config, its live state, or both. A
// live change rewrites dnsmasq's files and makes it re-read its hosts
// (SIGHUP) or, for ranges, restarts it.
func (d *Driver) Update(_ context.Context, name string, u backend.NetworkUpdate) error {
	o, unlock, err := d.lockedGet(name)
	if err != nil {
		return err
	}
	defer unlock()
	scope := u.Scope
	if !scope.Live && !scope.Config {
		scope.Live, scope.Config = o.active, !o.active
	}
	if scope.Live && !o.active {
		return backend.InvalidState("network is not running")
	}
	if scope.Config && !o.persistent {
		return backend.InvalidState("cannot change persistent config of a transient network")
	}
	apply := func(def *libvirtxml.Network) error {
		switch u.Section {
		case "ip-dhcp-host":
			return updateHost(def, u)
		case "ip-dhcp-range":
			return updateRange(def, u)
		}
		return backend.ConfigUnsupported("can't update '%s' section of network '%s' (virtsh updates ip-dhcp-host and ip-dhcp-range)", u.Section, name)
	}
	// Both definitions are changed in memory first, so that an update
	// refused by one leaves both untouched.
	var cfg, live *libvirtxml.Network
	if scope.Config {
		doc, _, err := d.defs.Read(name)
		if err != nil {
			return err
		}
		cfg = &libvirtxml.Network{}
		if err := cfg.Unmarshal(doc); err != nil {
			return backend.Internal("corrupt definition of network '%s': %v", name, err)
		}
		if err := apply(cfg); err != nil {
			return err
		}
	}
	if scope.Live {
		live = cloneDef(o.def)
		if err := apply(live); err != nil {
			return err
		}
	}
	if cfg != nil {
		s, err := formatDef(cfg)
		if err == nil {
			err = d.defs.Write(name, s)
		}
		if err != nil {
			return err
		}
	}
	if live != nil {
		return d.applyLive(live, u.Section)
	}
	return nil
}

// applyLive saves the live definition and brings dnsmasq up to date.
func (d *Driver) applyLive(def *libvirtxml.Network, section string) error {
	s, err := formatDef(def)
	if err == nil {
		err = d.live.Write(def.Name, s)
	}
	if err != nil {
		return err
	}
	conf, needed := dnsmasqConfig(def)
	if !needed {
		return nil
	}
	files := d.dnsmasqFiles(def.Name)
	self, _ := os.Executable()
	if err := conf.Write(files, self); err != nil {
		return backend.OperationFailed("%v", err)
	}
	if section == "ip-dhcp-host" {
		if err := dnsmasq.Reload(files); err == nil {
			return nil
		}
	}
	dnsmasq.Stop(files)
	if _, err := dnsmasq.Start(files); err != nil {
		return backend.OperationFailed("%v", err)
	}
	return nil
}

// dhcpIP is the <ip> element an update acts on: the one at parentIndex,
// or the first IPv4 one with DHCP (the first IPv4 one when none has it).
func dhcpIP(def *libvirtxml.Network, parentIndex int) (*libvirtxml.NetworkIP, error) {
	if parentIndex >= 0 {
		if parentIndex >= len(def.IPs) {
			return nil, backend.OperationFailed("couldn't update dhcp host entry - no <ip> element found at index %d in network '%s'", parentIndex, def.Name)
		}
		return &def.IPs[parentIndex], nil
	}
	for i := range def.IPs {
		if def.IPs[i].DHCP != nil {
			return &def.IPs[i], nil
		}
	}
	if len(def.IPs) > 0 {
		return &def.IPs[0], nil
	}
	return nil, backend.OperationFailed("can't update dhcp entry - no <ip> element in network '%s'", def.Name)
}

func parseElement(doc, want string, v any) error {
	if err := xml.Unmarshal([]byte(doc), v); err != nil {
		return backend.XMLError("%v", err)
	}
	var probe struct{ XMLName xml.Name }
	xml.Unmarshal([]byte(doc), &probe)
	if probe.XMLName.Local != want {
		return backend.XMLError("unexpected element <%s>, expecting <%s>, while parsing network update", probe.XMLName.Local, want)
	}
	return nil
}

func hostString(h libvirtxml.NetworkDHCPHost) string {
	s, _ := xml.Marshal(h)
	return strings.ReplaceAll(string(s), "></host>", "/>")
}

// updateHost is virNetworkDefUpdateIPDHCPHost.
func updateHost(def *libvirtxml.Network, u backend.NetworkUpdate) error {
	var h libvirtxml.NetworkDHCPHost
	if err := parseElement(u.XML, "host", &h); err != nil {
		return err
	}
	if h.MAC != "" {
		mac, err := net.ParseMAC(h.MAC)
		if err != nil {
			return backend.XMLError("Cannot parse MAC address '%s' in network '%s'", h.MAC, def.Name)
		}
		h.MAC = mac.String()
	}
	if h.IP != "" && net.ParseIP(h.IP).To4() == nil {
		return backend.XMLError("Invalid IP address in static host definition for network '%s'", def.Name)
	}
	if u.Command != backend.NetworkUpdateDelete && (h.MAC == "" && h.Name == "" || h.IP == "") {
		return backend.XMLError("Static host definition in IPv4 network '%s' must have mac or name attribute and ip", def.Name)
	}
	ip, err := dhcpIP(def, u.ParentIndex)
	if err != nil {
		return err
	}
	if h.IP != "" && !subnet(ip).Contains(net.ParseIP(h.IP)) {
		return backend.OperationFailed("the IP address %s of the host is not in network '%s' (%s)", h.IP, def.Name, subnet(ip))
	}
	if ip.DHCP == nil {
		ip.DHCP = &libvirtxml.NetworkDHCP{}
	}
	hosts := ip.DHCP.Hosts
	find := func(match func(libvirtxml.NetworkDHCPHost) bool) int {
		for i, x := range hosts {
			if match(x) {
				return i
			}
		}
		return -1
	}
	switch u.Command {
	case backend.NetworkUpdateAddFirst, backend.NetworkUpdateAddLast:
		if find(func(x libvirtxml.NetworkDHCPHost) bool {
			return (h.MAC != "" && strings.EqualFold(x.MAC, h.MAC)) || (h.Name != "" && x.Name == h.Name) || (h.IP != "" && x.IP == h.IP)
		}) >= 0 {
			return backend.OperationFailed("there is an existing dhcp host entry in network '%s' that matches \"%s\"", def.Name, hostString(h))
		}
		if u.Command == backend.NetworkUpdateAddFirst {
			hosts = append([]libvirtxml.NetworkDHCPHost{h}, hosts...)
		} else {
			hosts = append(hosts, h)
		}
	case backend.NetworkUpdateDelete:
		i := find(func(x libvirtxml.NetworkDHCPHost) bool {
			return (h.MAC == "" || strings.EqualFold(x.MAC, h.MAC)) && (h.Name == "" || x.Name == h.Name) && (h.IP == "" || x.IP == h.IP)
		})
		if i < 0 {
			return backend.OperationFailed("couldn't locate a matching dhcp host entry in network '%s'", def.Name)
		}
		hosts = append(hosts[:i], hosts[i+1:]...)
	case backend.NetworkUpdateModify:
		i := find(func(x libvirtxml.NetworkDHCPHost) bool {
			return (h.MAC != "" && strings.EqualFold(x.MAC, h.MAC)) || (h.MAC == "" && x.Name == h.Name)
		})
		if i < 0 {
			return backend.OperationFailed("couldn't locate an existing dhcp host entry with \"mac='%s'\" in network '%s'", h.MAC, def.Name)
		}
		hosts[i] = h
	default:
		return backend.InvalidArgument("unrecognized network update command %d", u.Command)
	}
	ip.DHCP.Hosts = hosts
	return nil
}

// updateRange is virNetworkDefUpdateIPDHCPRange, with modify added: it
// replaces the range that starts (or else ends) at the same address.
func updateRange(def *libvirtxml.Network, u backend.NetworkUpdate) error {
	var r libvirtxml.NetworkDHCPRange
	if err := parseElement(u.XML, "range", &r); err != nil {
		return err
	}
	start, end := net.ParseIP(r.Start).To4(), net.ParseIP(r.End).To4()
	if start == nil || end == nil {
		return backend.XMLError("Invalid dhcp range '%s' to '%s' in network '%s'", r.Start, r.End, def.Name)
	}
	ip, err := dhcpIP(def, u.ParentIndex)
	if err != nil {
		return err
	}
	n := subnet(ip)
	if !n.Contains(start) || !n.Contains(end) || bytesCompare(start, end) > 0 {
		return backend.OperationFailed("range %s - %s is not a valid range within network '%s' (%s)", r.Start, r.End, def.Name, n)
	}
	if ip.DHCP == nil {
		ip.DHCP = &libvirtxml.NetworkDHCP{}
	}
	ranges := ip.DHCP.Ranges
	find := func(match func(libvirtxml.NetworkDHCPRange) bool) int {
		for i, x := range ranges {
			if match(x) {
				return i
			}
		}
		return -1
	}
	same := func(x libvirtxml.NetworkDHCPRange) bool { return x.Start == r.Start && x.End == r.End }
	desc := "<range start='" + r.Start + "' end='" + r.End + "'/>"
	switch u.Command {
	case backend.NetworkUpdateAddFirst, backend.NetworkUpdateAddLast:
		if find(same) >= 0 {
			return backend.OperationFailed("there is an existing dhcp range entry in network '%s' that matches \"%s\"", def.Name, desc)
		}
		if u.Command == backend.NetworkUpdateAddFirst {
			ranges = append([]libvirtxml.NetworkDHCPRange{r}, ranges...)
		} else {
			ranges = append(ranges, r)
		}
	case backend.NetworkUpdateDelete:
		i := find(same)
		if i < 0 {
			return backend.OperationFailed("couldn't locate a matching dhcp range entry \"%s\" in network '%s'", desc, def.Name)
		}
		ranges = append(ranges[:i], ranges[i+1:]...)
	case backend.NetworkUpdateModify:
		i := find(func(x libvirtxml.NetworkDHCPRange) bool { return x.Start == r.Start })
		if i < 0 {
			i = find(func(x libvirtxml.NetworkDHCPRange) bool { return x.End == r.End })
		}
		if i < 0 {
			return backend.OperationFailed("couldn't locate a dhcp range starting at %s or ending at %s in network '%s'", r.Start, r.End, def.Name)
		}
		ranges[i] = r
	default:
		return backend.InvalidArgument("unrecognized network update command %d", u.Command)
	}
	ip.DHCP.Ranges = ranges
	return nil
}

func bytesCompare(a, b net.IP) int {
	return strings.Compare(string(a.To16()), string(b.To16()))
}
