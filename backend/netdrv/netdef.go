package netdrv

import (
	"encoding/xml"
	"net"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xmlcheck"
	"libvirt.org/go/libvirtxml"
)

// Forward modes virtsh builds; "" is an isolated network (no <forward>).
const (
	modeIsolated = ""
	modeNAT      = "nat"
	modeRoute    = "route"
	modeOpen     = "open"
	modeBridge   = "bridge"
)

// parseDef parses a network definition with libvirt's checks and
// defaults (virNetworkDefParseXML), refusing what virtsh cannot build.
func parseDef(doc string) (*libvirtxml.Network, error) {
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal([]byte(doc), &probe); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if probe.XMLName.Local != "network" {
		return nil, backend.XMLError("expecting root element of 'network', not '%s'", probe.XMLName.Local)
	}
	def := &libvirtxml.Network{}
	if err := def.Unmarshal(doc); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	out, err := def.Marshal()
	if err != nil {
		return nil, backend.Internal("cannot format network: %v", err)
	}
	if dropped, err := xmlcheck.Dropped(doc, out, "network/metadata"); err != nil {
		return nil, backend.XMLError("%v", err)
	} else if len(dropped) > 0 {
		return nil, backend.ConfigUnsupported("unknown network XML: %s", strings.Join(dropped, ", "))
	}
	if def.Name == "" {
		return nil, backend.Plain(backend.CodeXML, "missing name information")
	}
	if err := backend.ValidateName("network", def.Name); err != nil {
		return nil, err
	}
	if def.UUID == "" {
		def.UUID = backend.NewUUID()
	} else if !validUUID(def.UUID) {
		return nil, backend.XMLError("malformed uuid element")
	}
	if err := refuseUnsupported(def); err != nil {
		return nil, err
	}
	return def, applyDefaults(def)
}

func validUUID(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r == '-':
		case strings.ContainsRune("0123456789abcdefABCDEF", r):
			digits++
		default:
			return false
		}
	}
	return digits == 32
}

// refuseUnsupported names the parts of libvirt's network XML that virtsh
// parses but does not build, so that a define never silently ignores
// them.
func refuseUnsupported(def *libvirtxml.Network) error {
	var parts []string
	if def.Bandwidth != nil {
		parts = append(parts, "<bandwidth>")
	}
	if def.VLAN != nil {
		parts = append(parts, "<vlan>")
	}
	if len(def.PortGroups) > 0 {
		parts = append(parts, "<portgroup>")
	}
	if def.VirtualPort != nil {
		parts = append(parts, "<virtualport>")
	}
	if f := def.Forward; f != nil && (f.NAT != nil || len(f.PFs) > 0 || len(f.Interfaces) > 0 || f.Driver != nil || len(f.Addresses) > 0) {
		parts = append(parts, "<forward> children")
	}
	if len(def.Routes) > 0 {
		for _, r := range def.Routes {
			if r.Family == "ipv6" || strings.Contains(r.Address, ":") {
				parts = append(parts, "IPv6 <route>")
				break
			}
		}
	}
	for _, ip := range def.IPs {
		if ip.Family == "ipv6" || strings.Contains(ip.Address, ":") {
			parts = append(parts, "IPv6 <ip>")
			break
		}
		if ip.TFTP != nil {
			parts = append(parts, "<tftp>")
		}
		if ip.DHCP != nil && ip.DHCP.Bootp != nil {
			parts = append(parts, "<bootp>")
		}
	}
	if d := def.DNS; d != nil && (len(d.TXTs) > 0 || len(d.SRVs) > 0) {
		parts = append(parts, "<dns> txt/srv records")
	}
	if len(parts) > 0 {
		return backend.ConfigUnsupported("virtsh does not build %s in network '%s'", strings.Join(parts, ", "), def.Name)
	}
	return nil
}

// applyDefaults completes forward and bridge as libvirt does and checks
// that the mode can be built.
func applyDefaults(def *libvirtxml.Network) error {
	mode := forwardMode(def)
	switch mode {
	case modeIsolated, modeNAT, modeRoute, modeOpen:
		if (mode == modeNAT || mode == modeRoute) && len(def.IPs) == 0 {
			return backend.XMLError("%s forwarding requested, but no IP address provided for network '%s'", mode, def.Name)
		}
		if def.Bridge == nil {
			def.Bridge = &libvirtxml.NetworkBridge{}
		}
		def.Bridge.STP = orDefault(def.Bridge.STP, "on")
		def.Bridge.Delay = orDefault(def.Bridge.Delay, "0")
		if def.MAC == nil {
			def.MAC = &libvirtxml.NetworkMAC{Address: backend.NewMAC()}
		}
	case modeBridge:
		if def.Bridge == nil || def.Bridge.Name == "" {
			return backend.XMLError("network '%s' has forward mode 'bridge' but no bridge device name", def.Name)
		}
		if def.Bridge.STP != "" || def.Bridge.Delay != "" {
			return backend.XMLError("bridge delay/stp options only allowed in route, nat, and isolated mode, not in bridge (network '%s')", def.Name)
		}
		if len(def.IPs) > 0 || def.DNS != nil || def.Domain != nil || def.MAC != nil {
			return backend.XMLError("Unsupported <ip>, <dns>, <domain> or <mac> element in network %s with forward mode='bridge'", def.Name)
		}
	default:
		return backend.ConfigUnsupported("forward mode '%s' of network '%s' (virtsh builds nat, route, open, bridge and isolated networks)", mode, def.Name)
	}
	if def.Bridge != nil {
		switch def.Bridge.MACTableManager {
		case "", "kernel", "libvirt":
		default:
			return backend.XMLError("Invalid macTableManager setting '%s' in network '%s'", def.Bridge.MACTableManager, def.Name)
		}
		if def.Bridge.Delay != "" {
			if _, err := strconv.ParseUint(def.Bridge.Delay, 10, 32); err != nil {
				return backend.XMLError("Invalid delay value in network '%s'", def.Name)
			}
		}
	}
	if def.MAC != nil {
		if hw, err := net.ParseMAC(def.MAC.Address); err != nil || len(hw) != 6 {
			return backend.XMLError("Invalid bridge mac address '%s' in network '%s'", def.MAC.Address, def.Name)
		} else if hw[0]&1 != 0 {
			return backend.XMLError("Invalid multicast bridge mac address '%s' in network '%s'", def.MAC.Address, def.Name)
		}
	}
	for i := range def.IPs {
		if _, err := ipNet(&def.IPs[i]); err != nil {
			return err
		}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// forwardMode is the network's forward mode ("" for isolated; an empty
// <forward/> is nat).
func forwardMode(def *libvirtxml.Network) string {
	if def.Forward == nil {
		return modeIsolated
	}
	if def.Forward.Mode == "" {
		def.Forward.Mode = modeNAT
	}
	return def.Forward.Mode
}

// macTableLibvirt reports whether virtsh manages the bridge's MAC table.
func macTableLibvirt(def *libvirtxml.Network) bool {
	return def.Bridge != nil && def.Bridge.MACTableManager == "libvirt"
}

// ipNet returns the address and network of an <ip> element (address with
// netmask or prefix).
func ipNet(ip *libvirtxml.NetworkIP) (*net.IPNet, error) {
	addr := net.ParseIP(ip.Address).To4()
	if addr == nil {
		return nil, backend.XMLError("Invalid IPv4 address '%s' in network", ip.Address)
	}
	var mask net.IPMask
	switch {
	case ip.Netmask != "":
		m := net.ParseIP(ip.Netmask).To4()
		if m == nil {
			return nil, backend.XMLError("Invalid netmask '%s'", ip.Netmask)
		}
		mask = net.IPMask(m)
		if ones, bits := mask.Size(); ones == 0 && bits == 0 {
			return nil, backend.XMLError("Invalid netmask '%s'", ip.Netmask)
		}
	case ip.Prefix != 0:
		if ip.Prefix > 32 {
			return nil, backend.XMLError("Invalid prefix %d", ip.Prefix)
		}
		mask = net.CIDRMask(int(ip.Prefix), 32)
	default:
		mask = net.CIDRMask(24, 32)
	}
	return &net.IPNet{IP: addr, Mask: mask}, nil
}

// subnet is the network (address masked) of an <ip>.
func subnet(ip *libvirtxml.NetworkIP) *net.IPNet {
	n, _ := ipNet(ip)
	return &net.IPNet{IP: n.IP.Mask(n.Mask), Mask: n.Mask}
}

// formatDef is the network's XML as net-dumpxml prints it.
func formatDef(def *libvirtxml.Network) (string, error) {
	s, err := def.Marshal()
	if err != nil {
		return "", backend.Internal("cannot format network '%s': %v", def.Name, err)
	}
	return s + "\n", nil
}

// cloneDef copies a definition (through its XML).
func cloneDef(def *libvirtxml.Network) *libvirtxml.Network {
	s, _ := def.Marshal()
	out := &libvirtxml.Network{}
	out.Unmarshal(s)
	return out
}
