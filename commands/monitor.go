package commands

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/format"
)

// Commands of the "Domain Monitoring" group (virsh-domain-monitor.c).
var monitorCommands = []command{
	{"domblklist", newDomblklistCmd}, {"domiflist", newDomiflistCmd}, {"dominfo", newDominfoCmd}, {"dommemstat", newDommemstatCmd}, {"domstate", newDomstateCmd},
	{"domstats", newDomstatsCmd}, {"list", newListCmd},
}

// dominfoJSON is dominfo's data schema (docs/output.md).
type dominfoJSON struct {
	ID            *int   `json:"id"`
	Name          string `json:"name"`
	UUID          string `json:"uuid"`
	OSType        string `json:"os_type"`
	State         string `json:"state"`
	CPUs          int    `json:"cpus"`
	CPUTimeNS     int64  `json:"cpu_time_ns"`
	MaxMemoryKiB  uint64 `json:"max_memory_kib"`
	UsedMemoryKiB uint64 `json:"used_memory_kib"`
	Persistent    bool   `json:"persistent"`
	Autostart     bool   `json:"autostart"`
	ManagedSave   bool   `json:"managed_save"`
}

func newDominfoCmd(env *Env) *cobra.Command {
	var o struct{ domain string }
	cmd := &cobra.Command{
		Use:   "dominfo",
		Short: "domain information",
		Long:  "Returns basic information about the domain.",
	}
	domainArg(cmd, &o.domain)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		model, doi, err := conn.Host().SecurityModel(ctx)
		if err != nil {
			return err
		}
		data := dominfoJSON{
			Name: d.Name, UUID: d.UUID, OSType: d.OSType, State: d.State.String(),
			CPUs: d.VCPUs, CPUTimeNS: d.CPUTime.Nanoseconds(),
			MaxMemoryKiB: d.MaxMemKiB, UsedMemoryKiB: d.MemKiB,
			Persistent: d.Persistent, Autostart: d.Autostart, ManagedSave: d.ManagedSave,
		}
		if d.ID >= 0 {
			data.ID = &d.ID
		}
		return env.emit(data, func(w io.Writer) {
			id := "-"
			if d.ID >= 0 {
				id = strconv.Itoa(d.ID)
			}
			autostart := "disable"
			if d.Autostart {
				autostart = "enable"
			}
			fields := []format.Field{
				{Key: "Id:", Value: id},
				{Key: "Name:", Value: d.Name},
				{Key: "UUID:", Value: d.UUID},
				{Key: "OS Type:", Value: d.OSType},
				{Key: "State:", Value: d.State.String()},
				{Key: "CPU(s):", Value: strconv.Itoa(d.VCPUs)},
			}
			if d.CPUTime != 0 {
				fields = append(fields, format.Field{Key: "CPU time:", Value: fmt.Sprintf("%.1fs", d.CPUTime.Seconds())})
			}
			fields = append(fields,
				format.Field{Key: "Max memory:", Value: fmt.Sprintf("%d KiB", d.MaxMemKiB)},
				format.Field{Key: "Used memory:", Value: fmt.Sprintf("%d KiB", d.MemKiB)},
				format.Field{Key: "Persistent:", Value: format.YesNo(d.Persistent)},
				format.Field{Key: "Autostart:", Value: autostart},
				format.Field{Key: "Managed save:", Value: format.YesNo(d.ManagedSave)},
			)
			if model != "" {
				fields = append(fields,
					format.Field{Key: "Security model:", Value: model},
					format.Field{Key: "Security DOI:", Value: doi})
				for _, l := range d.Security {
					if l.Label == "" {
						continue // virsh shows only the labels a domain has
					}
					mode := "permissive"
					if l.Enforcing {
						mode = "enforcing"
					}
					fields = append(fields, format.Field{Key: "Security label:", Value: fmt.Sprintf("%s (%s)", l.Label, mode)})
				}
			}
			format.KeyValue(w, 15, fields)
		})
	}
	return cmd
}
