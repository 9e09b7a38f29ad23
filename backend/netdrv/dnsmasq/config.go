// Package dnsmasq runs the DHCP and DNS server of a virtual network: a
// real dnsmasq process with a configuration written the way libvirt
// writes it (bridge_driver.c networkDnsmasqConfContents), and virtsh
// itself as dnsmasq's lease helper, keeping the leases in a JSON file
// that net-dhcp-leases and domifaddr read.
package dnsmasq

import (
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Range is one DHCP range.
type Range struct {
	Start, End net.IP
	Mask       net.IPMask
	Lease      string // dnsmasq lease time ("3600", "1h", "infinite"), "" for dnsmasq's default
}

// Host is a static DHCP host.
type Host struct {
	MAC, IP, Name string
}

// DNSHost is a DNS host entry: an address and its names.
type DNSHost struct {
	IP    string
	Names []string
}

// Forwarder is a DNS server to forward to, for all names or one domain.
type Forwarder struct {
	Addr, Domain string
}

// Config is one network's dnsmasq configuration.
type Config struct {
	Network    string
	Bridge     string
	Subnet     *net.IPNet // the network's IPv4 subnet, for static-only DHCP
	DNSOff     bool       // <dns enable='no'>: no DNS server (port=0)
	Domain     string     // <domain name=...>
	LocalOnly  bool       // <domain localOnly='yes'>: never forward the domain
	Forwarders []Forwarder
	Ranges     []Range
	Hosts      []Host
	DNSHosts   []DNSHost
}

// Files are the paths of one network's dnsmasq files.
type Files struct {
	Conf, Hosts, AddnHosts, PID, Leases, Helper string
}

// FilesFor returns the file paths of network in dir (the driver's
// dnsmasq state directory).
func FilesFor(dir, network string) Files {
	base := filepath.Join(dir, network)
	return Files{
		Conf: base + ".conf", Hosts: base + ".hostsfile", AddnHosts: base + ".addnhosts",
		PID: base + ".pid", Leases: base + ".status", Helper: base + ".leasehelper",
	}
}

// All lists every file, for removal.
func (f Files) All() []string {
	return []string{f.Conf, f.Hosts, f.AddnHosts, f.PID, f.Leases, f.Leases + ".lock", f.Helper}
}

// Contents is the configuration file, in libvirt's order.
func (c Config) Contents(f Files) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE")
	line("##OVERWRITTEN AND LOST. Changes to this configuration should be made using:")
	line("##    virtsh net-edit %s", c.Network)
	line("## or other application using the virtsh API.")
	line("")
	line("strict-order")
	// dnsmasq runs as root: its files live in virtsh's private state
	// directories and are re-read on net-update (SIGHUP).
	line("user=root")
	if c.DNSOff {
		line("port=0")
	}
	for _, fw := range c.Forwarders {
		if fw.Domain != "" {
			line("server=/%s/%s", fw.Domain, fw.Addr)
		} else {
			line("server=%s", fw.Addr)
		}
	}
	if c.Domain != "" {
		if c.LocalOnly {
			line("local=/%s/", c.Domain)
		}
		line("domain=%s", c.Domain)
		line("expand-hosts")
	}
	line("pid-file=%s", f.PID)
	line("except-interface=lo")
	line("bind-dynamic")
	line("interface=%s", c.Bridge)
	leases := new(big.Int)
	for _, r := range c.Ranges {
		s := fmt.Sprintf("dhcp-range=%s,%s,%s", r.Start, r.End, net.IP(r.Mask))
		if r.Lease != "" {
			s += "," + r.Lease
		}
		line("%s", s)
		n := new(big.Int).Sub(new(big.Int).SetBytes(r.End.To16()), new(big.Int).SetBytes(r.Start.To16()))
		leases.Add(leases, n.Add(n, big.NewInt(1)))
	}
	if len(c.Ranges) > 0 || len(c.Hosts) > 0 {
		if len(c.Ranges) == 0 && c.Subnet != nil {
			// Static hosts only: dnsmasq needs a static range to serve them.
			line("dhcp-range=%s,static", c.Subnet.IP)
		}
		line("dhcp-no-override")
		line("dhcp-authoritative")
		if len(c.Ranges) > 0 {
			line("dhcp-lease-max=%s", leases)
		}
		line("dhcp-hostsfile=%s", f.Hosts)
	}
	line("addn-hosts=%s", f.AddnHosts)
	return b.String()
}

// HostsContents is the dhcp-hostsfile: `mac,ip,name` lines.
func (c Config) HostsContents() string {
	var b strings.Builder
	for _, h := range c.Hosts {
		var parts []string
		for _, p := range []string{h.MAC, h.IP, h.Name} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		b.WriteString(strings.Join(parts, ",") + "\n")
	}
	return b.String()
}

// AddnHostsContents is the addn-hosts file: `ip name...` lines.
func (c Config) AddnHostsContents() string {
	var b strings.Builder
	for _, h := range c.DNSHosts {
		fmt.Fprintf(&b, "%s\t%s\n", h.IP, strings.Join(h.Names, "\t"))
	}
	return b.String()
}

// Write writes the configuration, hosts files and lease helper script
// (mode 0600, the script 0700). helper is the virtsh binary.
func (c Config) Write(f Files, helper string) error {
	// Without leases, init (run at every dnsmasq start) has nothing to
	// print: the script answers it without starting virtsh.
	script := fmt.Sprintf("#!/bin/sh\n# dnsmasq's lease helper for network %s: virtsh itself.\n"+
		"[ \"$1\" = init ] && [ ! -s %s ] && exit 0\nexec %s %s %s \"$@\"\n",
		c.Network, shellQuote(f.Leases), shellQuote(helper), HelperName, shellQuote(f.Leases))
	for _, w := range []struct {
		path, data string
		mode       os.FileMode
	}{
		{f.Hosts, c.HostsContents(), 0o600},
		{f.AddnHosts, c.AddnHostsContents(), 0o600},
		{f.Helper, script, 0o700},
		{f.Conf, c.Contents(f), 0o600},
	} {
		if err := replaceFile(w.path, []byte(w.data), w.mode); err != nil {
			return fmt.Errorf("cannot write %s: %w", w.path, err)
		}
	}
	return nil
}

// replaceFile writes path through a temporary file and a rename, so
// dnsmasq never reads half a file, without fsync: these files are made
// anew from the network's definition at every start.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
