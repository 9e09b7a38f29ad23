package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Storage Pool" group (virsh-pool.c).
var poolCommands = []command{
	{"pool-list", newPoolListCmd}, {"pool-info", newPoolInfoCmd}, {"pool-dumpxml", newPoolDumpXMLCmd},
}

// poolArg declares the <pool> option of the pool commands.
func poolArg(cmd *cobra.Command, p *string) {
	arg(cmd, p, "pool", "pool name or uuid", true)
}

// poolJSON is a pool's data schema in pool-list and pool-info
// (docs/storage.md). Sizes are null when the pool is not running.
type poolJSON struct {
	Name            string  `json:"name"`
	UUID            string  `json:"uuid"`
	Type            string  `json:"type"`
	State           string  `json:"state"`
	Autostart       bool    `json:"autostart"`
	Persistent      bool    `json:"persistent"`
	CapacityBytes   *uint64 `json:"capacity_bytes"`
	AllocationBytes *uint64 `json:"allocation_bytes"`
	AvailableBytes  *uint64 `json:"available_bytes"`
}

func newPoolJSON(p backend.PoolInfo) poolJSON {
	j := poolJSON{
		Name: p.Name, UUID: p.UUID, Type: p.Type, State: p.State.String(),
		Autostart: p.Autostart, Persistent: p.Persistent,
	}
	if poolHasSizes(p.State) {
		j.CapacityBytes, j.AllocationBytes, j.AvailableBytes = &p.Capacity, &p.Allocation, &p.Available
	}
	return j
}

// poolHasSizes reports whether virsh shows a pool's sizes in this state.
func poolHasSizes(s backend.PoolState) bool {
	return s == backend.PoolRunning || s == backend.PoolDegraded
}

// poolActive is virsh's virStoragePoolIsActive.
func poolActive(s backend.PoolState) bool {
	return s != backend.PoolInactive
}
