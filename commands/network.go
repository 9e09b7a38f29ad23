package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Networking" group (virsh-network.c).
var networkCommands = []command{
	{"net-list", newNetListCmd}, {"net-info", newNetInfoCmd}, {"net-dumpxml", newNetDumpXMLCmd},
	{"net-define", newNetDefineCmd}, {"net-create", newNetCreateCmd},
	{"net-undefine", newNetUndefineCmd}, {"net-start", newNetStartCmd}, {"net-destroy", newNetDestroyCmd}, {"net-autostart", newNetAutostartCmd},
	{"net-uuid", newNetUUIDCmd}, {"net-name", newNetNameCmd},
}

// networkArg declares the <network> option of the network commands.
func networkArg(cmd *cobra.Command, p *string) {
	arg(cmd, p, "network", "network name or uuid", true)
}

// networkJSON is a network's data schema in net-list and net-info
// (docs/network.md).
type networkJSON struct {
	Name       string `json:"name"`
	UUID       string `json:"uuid"`
	State      string `json:"state"`
	Autostart  bool   `json:"autostart"`
	Persistent bool   `json:"persistent"`
	Bridge     string `json:"bridge,omitempty"`
}

func newNetworkJSON(n backend.NetworkInfo) networkJSON {
	return networkJSON{
		Name: n.Name, UUID: n.UUID, State: activeWord(n.Active),
		Autostart: n.Autostart, Persistent: n.Persistent, Bridge: n.Bridge,
	}
}

// activeWord is virsh's state word for networks and pools.
func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}
