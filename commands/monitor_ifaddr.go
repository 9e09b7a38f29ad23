package commands

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

func init() {
	register("monitor", command{"domifaddr", newDomifaddrCmd})
}

// addressSources are domifaddr's --source words.
var addressSources = map[string]backend.AddressSource{
	"lease": backend.AddressFromLease, "agent": backend.AddressFromAgent, "arp": backend.AddressFromARP,
}

// ifaddrJSON is one row of domifaddr's data output: one address of one
// interface (an interface without addresses has one row with none).
type ifaddrJSON struct {
	Name     string `json:"name"`
	MAC      string `json:"mac"`
	Protocol string `json:"protocol,omitempty"` // ipv4, ipv6
	Address  string `json:"address,omitempty"`
	Prefix   *int   `json:"prefix,omitempty"`
	first    bool   // the interface's first row
}

func newDomifaddrCmd(env *Env) *cobra.Command {
	var o struct {
		domain, iface, source string
		full                  bool
	}
	cmd := &cobra.Command{
		Use:   "domifaddr",
		Short: "Get network interfaces' addresses for a running domain",
		Long:  "Get network interfaces' addresses for a running domain",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().StringVar(&o.iface, "interface", "", "network interface name")
	cmd.Flags().BoolVar(&o.full, "full", false, "always display names and MACs of interfaces")
	cmd.Flags().StringVar(&o.source, "source", "", "address source: 'lease', 'agent', or 'arp'")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		source := backend.AddressFromLease
		if o.source != "" {
			var ok bool
			if source, ok = addressSources[o.source]; !ok {
				return userError("", "Unknown data source '%s'", o.source)
			}
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		a, err := domainCapability[backend.DomainAddresses](conn.Domains(), "virDomainInterfaceAddresses")
		if err != nil {
			return failed(err, "Failed to query for interfaces addresses")
		}
		ifaces, err := a.InterfaceAddresses(ctx, d.Name, source)
		if err != nil {
			return failed(err, "Failed to query for interfaces addresses")
		}
		rows := []ifaddrJSON{}
		for _, i := range ifaces {
			if o.iface != "" && o.iface != i.Name {
				continue
			}
			if len(i.Addrs) == 0 {
				rows = append(rows, ifaddrJSON{Name: i.Name, MAC: i.MAC, first: true})
			}
			for k, ip := range i.Addrs {
				prefix := ip.Prefix
				rows = append(rows, ifaddrJSON{Name: i.Name, MAC: i.MAC, Protocol: ip.Type, Address: ip.Addr, Prefix: &prefix, first: k == 0})
			}
		}
		return env.emit(rows, func(w io.Writer) { writeIfaddr(env, w, rows, o.full) })
	}
	return cmd
}

// writeIfaddr prints virsh's domifaddr table, whose layout is its own
// (fixed widths, not vsh-table): an interface's name and MAC only on its
// first address unless full.
func writeIfaddr(env *Env, w io.Writer, rows []ifaddrJSON, full bool) {
	env.info(" %-10s %-20s %-8s     %s\n%s\n", "Name", "MAC address", "Protocol", "Address", strings.Repeat("-", 79))
	for _, r := range rows {
		if r.Address == "" {
			mac := r.MAC
			if mac == "" {
				mac = "N/A"
			}
			fmt.Fprintf(w, " %-10s %-17s    %-12s %s\n", r.Name, mac, "N/A", "N/A")
			continue
		}
		name, mac := r.Name, r.MAC
		if !full && !r.first {
			name, mac = "-", "-"
		}
		fmt.Fprintf(w, " %-10s %-17s    %-12s %s/%d\n", name, mac, r.Protocol, r.Address, *r.Prefix)
	}
}
