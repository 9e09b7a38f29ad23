package commands

import (
	"io"
	"sort"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/format"
)

func newVolListCmd(env *Env) *cobra.Command {
	var o struct {
		pool    string
		details bool
	}
	cmd := &cobra.Command{
		Use:   "vol-list",
		Short: "list vols",
		Long:  "Returns list of vols by pool.",
	}
	poolArg(cmd, &o.pool)
	cmd.Flags().BoolVar(&o.details, "details", false, "display extended details for volumes")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, p, err := lookupPool(ctx, env, o.pool)
		if err != nil {
			return err
		}
		vols, err := conn.Pools().Volumes(ctx, p.Name)
		if err != nil {
			return failed(err, "Failed to list volumes")
		}
		sort.Slice(vols, func(i, j int) bool { return lessFold(vols[i].Name, vols[j].Name) })
		data := make([]volumeJSON, len(vols))
		for i, v := range vols {
			data[i] = newVolumeJSON(v)
		}
		return env.emit(data, func(w io.Writer) { writeVolList(w, env.Quiet, o.details, data) })
	}
	return cmd
}

func writeVolList(w io.Writer, quiet, details bool, vols []volumeJSON) {
	header := []string{"Name", "Path"}
	if details {
		header = append(header, "Type", "Capacity", "Allocation")
	}
	rows := make([][]string, len(vols))
	for i, v := range vols {
		rows[i] = []string{v.Name, v.Path}
		if details {
			rows[i] = append(rows[i], v.Type, format.Capacity(v.CapacityBytes), format.Capacity(v.AllocationBytes))
		}
	}
	format.Table(w, header, rows, quiet)
}
