package netdrv

import (
	"context"
	"net"
	"os"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv/dnsmasq"
)

func init() {
	backend.RegisterHelper(dnsmasq.HelperName, func(args []string) int {
		if err := dnsmasq.Helper(args, os.Getenv, os.Stdout); err != nil {
			os.Stderr.WriteString(dnsmasq.HelperName + ": " + err.Error() + "\n")
			return 1
		}
		return 0
	})
}

// DHCPLeases returns the network's unexpired DHCP leases, those of the
// guest MAC mac only when mac is not empty (net-dhcp-leases; domifaddr
// --source lease).
func (d *Driver) DHCPLeases(_ context.Context, network, mac string) ([]backend.NetworkLease, error) {
	o, err := d.get(network)
	if err != nil {
		return nil, err
	}
	if !o.active {
		return nil, backend.InvalidState("network '%s' is not active", network)
	}
	leases, err := dnsmasq.ReadLeases(d.dnsmasqFiles(network).Leases)
	if err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	var out []backend.NetworkLease
	for _, l := range leases {
		if mac != "" && !strings.EqualFold(l.MAC, mac) {
			continue
		}
		nl := backend.NetworkLease{
			Interface: o.def.Bridge.Name, Type: "ipv4", MAC: l.MAC, IAID: l.IAID,
			IPAddr: l.IP, Hostname: l.Hostname, ClientID: l.ClientID,
		}
		if l.Expiry != 0 {
			nl.Expiry = time.Unix(l.Expiry, 0)
		}
		nl.Prefix = prefixOf(o, l.IP)
		out = append(out, nl)
	}
	return out, nil
}

// prefixOf is the prefix length of the network's <ip> that holds ip.
func prefixOf(o object, ip string) int {
	addr := net.ParseIP(ip)
	for i := range o.def.IPs {
		if n := subnet(&o.def.IPs[i]); n.Contains(addr) {
			ones, _ := n.Mask.Size()
			return ones
		}
	}
	return 0
}
