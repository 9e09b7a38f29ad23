package commands

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// Commands of the "Storage Volume" group (virsh-volume.c).
var volumeCommands = []command{
	{"vol-list", newVolListCmd}, {"vol-info", newVolInfoCmd}, {"vol-dumpxml", newVolDumpXMLCmd},
}

// volumeJSON is a volume's data schema in vol-list and vol-info
// (docs/storage.md).
type volumeJSON struct {
	Name            string `json:"name"`
	Pool            string `json:"pool"`
	Key             string `json:"key"`
	Path            string `json:"path"`
	Type            string `json:"type"`
	CapacityBytes   uint64 `json:"capacity_bytes"`
	AllocationBytes uint64 `json:"allocation_bytes"`
}

func newVolumeJSON(v backend.VolumeInfo) volumeJSON {
	return volumeJSON{
		Name: v.Name, Pool: v.Pool, Key: v.Key, Path: v.Path, Type: v.Type,
		CapacityBytes: v.Capacity, AllocationBytes: v.Allocation,
	}
}

// volumeArgs declares the <vol> and --pool options of vol-info and
// vol-dumpxml. virsh 9.0.0 fills any string option from the next
// positional word, so `vol-info disk.img images` names the pool too.
func volumeArgs(cmd *cobra.Command, vol, pool *string) {
	arg(cmd, vol, "vol", "vol name, key or path", true)
	arg(cmd, pool, "pool", "pool name or uuid", false)
}

// lookupVolume finds a volume as virsh does (virshCommandOptVolBy): by name
// in pool when one is given, then by key, then by path in every pool. A
// volume found outside the given pool is an error.
func lookupVolume(ctx context.Context, env *Env, key, poolKey string) (backend.Conn, backend.VolumeInfo, error) {
	if poolKey == "" {
		conn, err := env.Conn(ctx)
		if err != nil {
			return nil, backend.VolumeInfo{}, err
		}
		v, err := conn.Pools().LookupVolume(ctx, "", key)
		if err != nil {
			return nil, v, failed(err, "failed to get vol '%s', specifying --pool might help", key)
		}
		return conn, v, nil
	}
	conn, pool, err := lookupPool(ctx, env, poolKey)
	if err != nil {
		return nil, backend.VolumeInfo{}, err
	}
	if !poolActive(pool.State) {
		return nil, backend.VolumeInfo{}, userError(backend.CodeInvalidState, "pool '%s' is not active", poolKey)
	}
	v, err := conn.Pools().LookupVolume(ctx, pool.Name, key)
	if err != nil {
		v, err = conn.Pools().LookupVolume(ctx, "", key)
	}
	if err != nil {
		return nil, v, failed(err, "failed to get vol '%s'", key)
	}
	if v.Pool != pool.Name {
		return nil, v, userError(backend.CodeNotFound, "Requested volume '%s' is not in pool '%s'", key, pool.Name)
	}
	return conn, v, nil
}
