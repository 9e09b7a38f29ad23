package commands

import (
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

func init() { register("network", command{"net-dhcp-leases", newNetDHCPLeasesCmd}) }

// leaseJSON is one lease in net-dhcp-leases' data output (docs/network.md).
type leaseJSON struct {
	ExpiryTimeSeconds int64  `json:"expiry_time_seconds"` // Unix time; 0: never
	MAC               string `json:"mac"`
	Protocol          string `json:"protocol"`
	IPAddress         string `json:"ip_address"`
	Prefix            int    `json:"prefix"`
	Hostname          string `json:"hostname"`
	ClientID          string `json:"client_id"`
}

func newNetDHCPLeasesCmd(env *Env) *cobra.Command {
	var o struct{ network, mac string }
	cmd := &cobra.Command{
		Use:   "net-dhcp-leases",
		Short: "print lease info for a given network",
		Long:  "Print lease info for a given network",
	}
	networkArg(cmd, &o.network)
	cmd.Flags().StringVar(&o.mac, "mac", "", "MAC address")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		_, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		svc, err := networkCapability[backend.NetworkLeases](ctx, env, "virNetworkGetDHCPLeases")
		var leases []backend.NetworkLease
		if err == nil {
			leases, err = svc.DHCPLeases(ctx, n.Name, o.mac)
		}
		if err != nil {
			return failed(err, "Failed to get leases info for %s", o.network)
		}
		sort.SliceStable(leases, func(i, j int) bool {
			return strings.ToLower(leases[i].MAC) < strings.ToLower(leases[j].MAC)
		})
		data := make([]leaseJSON, len(leases))
		rows := make([][]string, len(leases))
		for i, l := range leases {
			data[i] = leaseJSON{MAC: l.MAC, Protocol: l.Type, IPAddress: l.IPAddr, Prefix: l.Prefix, Hostname: l.Hostname, ClientID: l.ClientID}
			expiry := ""
			if !l.Expiry.IsZero() {
				data[i].ExpiryTimeSeconds = l.Expiry.Unix()
				expiry = l.Expiry.Local().Format("2006-01-02 15:04:05")
			}
			rows[i] = []string{expiry, orMinus(l.MAC), orMinus(l.Type), l.IPAddr + "/" + strconv.Itoa(l.Prefix), orMinus(l.Hostname), orMinus(l.ClientID)}
		}
		return env.emit(data, func(w io.Writer) {
			format.Table(w, []string{"Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID"}, rows, env.Quiet)
		})
	}
	return cmd
}
