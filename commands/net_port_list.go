package commands

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

func init() { register("network", command{"net-port-list", newNetPortListCmd}) }

// portJSON is one port in net-port-list's data output (docs/network.md).
type portJSON struct {
	UUID   string `json:"uuid"`
	Owner  string `json:"owner,omitempty"`
	MAC    string `json:"mac"`
	Device string `json:"device"`
	Bridge string `json:"bridge"`
}

func newNetPortListCmd(env *Env) *cobra.Command {
	var o struct {
		network     string
		uuid, table bool
	}
	cmd := &cobra.Command{
		Use:   "net-port-list",
		Short: "list network ports",
		Long:  "Returns list of network ports.",
	}
	networkArg(cmd, &o.network)
	cmd.Flags().BoolVar(&o.uuid, "uuid", false, "list uuid's only")
	cmd.Flags().BoolVar(&o.table, "table", false, "list table (default)")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		if o.uuid && o.table {
			return userError("", "Only one argument from --table and --uuid may be specified.")
		}
		_, n, err := lookupNetwork(ctx, env, o.network)
		if err != nil {
			return err
		}
		svc, err := networkCapability[backend.NetworkPorts](ctx, env, "virNetworkListAllPorts")
		var ports []backend.NetworkPort
		if err == nil {
			ports, err = svc.Ports(ctx, n.Name)
		}
		if err != nil {
			return failed(err, "")
		}
		data := make([]portJSON, len(ports))
		rows := make([][]string, len(ports))
		for i, p := range ports {
			data[i] = portJSON{UUID: p.UUID, Owner: p.Owner, MAC: p.MAC, Device: p.Device, Bridge: p.Bridge}
			rows[i] = []string{p.UUID}
		}
		return env.emit(data, func(w io.Writer) {
			if o.uuid {
				for _, p := range ports {
					fmt.Fprintln(w, p.UUID)
				}
				return
			}
			format.Table(w, []string{"UUID"}, rows, env.Quiet)
		})
	}
	return cmd
}
