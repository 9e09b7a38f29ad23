package commands

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// poolTypes are the pool types libvirt 9.0.0 knows (virStoragePoolType).
var poolTypes = []string{
	"dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi",
	"mpath", "rbd", "sheepdog", "gluster", "zfs", "vstorage",
}

func newPoolListCmd(env *Env) *cobra.Command {
	var o struct {
		filter              activityFilter
		types               string
		details, uuid, name bool
	}
	cmd := &cobra.Command{
		Use:   "pool-list",
		Short: "list pools",
		Long:  "Returns list of pools.",
	}
	o.filter.declare(cmd, "pools", "inactive", "all", "transient", "persistent", "autostart", "no-autostart")
	// virsh 9.0.0 fills any string option from a positional word:
	// `pool-list dir` lists dir pools.
	arg(cmd, &o.types, "type", "only list pool of specified type(s) (if supported)", false)
	cmd.Flags().BoolVar(&o.details, "details", false, "display extended details for pools")
	cmd.Flags().BoolVar(&o.uuid, "uuid", false, "list UUID of active pools only")
	cmd.Flags().BoolVar(&o.name, "name", false, "list name of active pools only")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		types, err := parsePoolTypes(c, o.types)
		if err != nil {
			return err
		}
		pools, err := listPools(c.Context(), env, o.filter, types)
		if err != nil {
			return err
		}
		data := make([]poolJSON, len(pools))
		for i, p := range pools {
			data[i] = newPoolJSON(p)
		}
		return env.emit(data, func(w io.Writer) {
			switch {
			case o.uuid || o.name:
				writePoolIDs(w, pools, o.uuid, o.name)
			case o.details:
				writePoolDetails(w, env.Quiet, pools)
			default:
				writePoolTable(w, env.Quiet, pools)
			}
		})
	}
	return cmd
}

// parsePoolTypes checks --type, a comma-separated list of pool types;
// nil when not given.
func parsePoolTypes(c *cobra.Command, value string) ([]string, error) {
	if !c.Flags().Changed("type") {
		return nil, nil
	}
	types := strings.Split(value, ",")
	for _, t := range types {
		if !slices.Contains(poolTypes, t) {
			return nil, userError("", "Invalid pool type '%s'", t)
		}
	}
	return types, nil
}

// listPools returns the pools the filter and types select, sorted by name.
func listPools(ctx context.Context, env *Env, f activityFilter, types []string) ([]backend.PoolInfo, error) {
	conn, err := env.Conn(ctx)
	if err != nil {
		return nil, err
	}
	all, err := conn.Pools().List(ctx)
	if err != nil {
		return nil, failed(err, "Failed to list pools")
	}
	var pools []backend.PoolInfo
	for _, p := range all {
		if !f.match(poolActive(p.State), p.Persistent, p.Autostart) {
			continue
		}
		if types != nil && !slices.Contains(types, p.Type) {
			continue
		}
		pools = append(pools, p)
	}
	sort.Slice(pools, func(i, j int) bool { return lessFold(pools[i].Name, pools[j].Name) })
	return pools, nil
}

// writePoolIDs prints --uuid and --name output: "%-36s" UUIDs and "%-20s"
// names, both on one line when both are asked for.
func writePoolIDs(w io.Writer, pools []backend.PoolInfo, uuid, name bool) {
	for _, p := range pools {
		switch {
		case uuid && name:
			fmt.Fprintf(w, "%-36s %-20s\n", p.UUID, p.Name)
		case uuid:
			fmt.Fprintf(w, "%-36s\n", p.UUID)
		default:
			fmt.Fprintf(w, "%-20s\n", p.Name)
		}
	}
}

func writePoolTable(w io.Writer, quiet bool, pools []backend.PoolInfo) {
	rows := make([][]string, len(pools))
	for i, p := range pools {
		rows[i] = []string{p.Name, activeWord(poolActive(p.State)), format.YesNo(p.Autostart)}
	}
	format.Table(w, []string{"Name", "State", "Autostart"}, rows, quiet)
}

func writePoolDetails(w io.Writer, quiet bool, pools []backend.PoolInfo) {
	rows := make([][]string, len(pools))
	for i, p := range pools {
		sizes := []string{"-", "-", "-"}
		if poolHasSizes(p.State) {
			sizes = []string{format.Capacity(p.Capacity), format.Capacity(p.Allocation), format.Capacity(p.Available)}
		}
		rows[i] = append([]string{p.Name, p.State.String(), format.YesNo(p.Autostart), format.YesNo(p.Persistent)}, sizes...)
	}
	format.Table(w, []string{"Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available"}, rows, quiet)
}
