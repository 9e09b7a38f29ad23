package commands

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

func init() {
	register("monitor", command{"domblkstat", newDomblkstatCmd}, command{"domifstat", newDomifstatCmd}, command{"domblkinfo", newDomblkinfoCmd})
}

// blockStatsJSON is domblkstat's data output: the counters the driver
// reports; a counter it does not know is left out.
type blockStatsJSON struct {
	Device      string `json:"device"` // "" for the sum of every disk
	RdReqs      *int64 `json:"rd_reqs,omitempty"`
	RdBytes     *int64 `json:"rd_bytes,omitempty"`
	WrReqs      *int64 `json:"wr_reqs,omitempty"`
	WrBytes     *int64 `json:"wr_bytes,omitempty"`
	Errors      *int64 `json:"errors,omitempty"`
	FlushReqs   *int64 `json:"flush_reqs,omitempty"`
	RdTimeNS    *int64 `json:"rd_total_time_ns,omitempty"`
	WrTimeNS    *int64 `json:"wr_total_time_ns,omitempty"`
	FlushTimeNS *int64 `json:"flush_total_time_ns,omitempty"`
}

// blockStatFields are domblkstat's lines in virsh's order: the legacy
// name (libvirt's field name when there is none) and the --human label.
func blockStatFields(s backend.BlockStats) []struct {
	name, human string
	value       int64
} {
	return []struct {
		name, human string
		value       int64
	}{
		{"rd_req", "number of read operations:", s.RdReqs},
		{"rd_bytes", "number of bytes read:", s.RdBytes},
		{"wr_req", "number of write operations:", s.WrReqs},
		{"wr_bytes", "number of bytes written:", s.WrBytes},
		{"errs", "error count:", s.Errors},
		{"flush_operations", "number of flush operations:", s.FlushReqs},
		{"rd_total_times", "total duration of reads (ns):", s.RdTimeNS},
		{"wr_total_times", "total duration of writes (ns):", s.WrTimeNS},
		{"flush_total_times", "total duration of flushes (ns):", s.FlushTimeNS},
	}
}

func known(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return &v
}

func newDomblkstatCmd(env *Env) *cobra.Command {
	var o struct {
		domain, device string
		human          bool
	}
	cmd := &cobra.Command{
		Use:   "domblkstat",
		Short: "get device block stats for a domain",
		Long:  "Get device block stats for a running domain. See man page or use --human for explanation of fields",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.device, "device", "block device", false)
	cmd.Flags().BoolVar(&o.human, "human", false, "print a more human readable output")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		stats, err := domainCapability[backend.DomainDeviceStats](conn.Domains(), "virDomainBlockStats")
		if err == nil {
			var s backend.BlockStats
			if s, err = stats.BlockStats(ctx, d.Name, o.device); err == nil {
				return emitBlockStats(env, o.device, o.human, s)
			}
		}
		if errors.Is(err, backend.ErrUnsupported) {
			return failed(err, "Failed to get block stats %s %s", o.domain, o.device)
		}
		return backendError(err)
	}
	return cmd
}

func emitBlockStats(env *Env, device string, human bool, s backend.BlockStats) error {
	data := blockStatsJSON{Device: device, RdReqs: known(s.RdReqs), RdBytes: known(s.RdBytes),
		WrReqs: known(s.WrReqs), WrBytes: known(s.WrBytes), Errors: known(s.Errors),
		FlushReqs: known(s.FlushReqs), RdTimeNS: known(s.RdTimeNS), WrTimeNS: known(s.WrTimeNS),
		FlushTimeNS: known(s.FlushTimeNS)}
	return env.emit(data, func(w io.Writer) {
		prefix, width := device, 0
		if human {
			fmt.Fprintf(w, "Device: %s\n", device)
			prefix, width = "", 31
		}
		for _, f := range blockStatFields(s) {
			if f.value < 0 {
				continue
			}
			label := f.name
			if human {
				label = f.human
			}
			fmt.Fprintf(w, "%s %-*s %d\n", prefix, width, label, f.value)
		}
	})
}

// interfaceStatsJSON is domifstat's data output.
type interfaceStatsJSON struct {
	Interface string `json:"interface"`
	RxBytes   *int64 `json:"rx_bytes,omitempty"`
	RxPackets *int64 `json:"rx_packets,omitempty"`
	RxErrs    *int64 `json:"rx_errs,omitempty"`
	RxDrop    *int64 `json:"rx_drop,omitempty"`
	TxBytes   *int64 `json:"tx_bytes,omitempty"`
	TxPackets *int64 `json:"tx_packets,omitempty"`
	TxErrs    *int64 `json:"tx_errs,omitempty"`
	TxDrop    *int64 `json:"tx_drop,omitempty"`
}

func newDomifstatCmd(env *Env) *cobra.Command {
	var o struct{ domain, iface string }
	cmd := &cobra.Command{
		Use:   "domifstat",
		Short: "get network interface stats for a domain",
		Long:  "Get network interface stats for a running domain.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.iface, "interface", "interface device specified by name or MAC Address", true)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		var s backend.InterfaceStats
		stats, err := domainCapability[backend.DomainDeviceStats](conn.Domains(), "virDomainInterfaceStats")
		if err == nil {
			s, err = stats.InterfaceStats(ctx, d.Name, o.iface)
		}
		if err != nil {
			return failed(err, "Failed to get interface stats %s %s", o.domain, o.iface)
		}
		data := interfaceStatsJSON{Interface: o.iface, RxBytes: known(s.RxBytes), RxPackets: known(s.RxPackets),
			RxErrs: known(s.RxErrs), RxDrop: known(s.RxDrop), TxBytes: known(s.TxBytes),
			TxPackets: known(s.TxPackets), TxErrs: known(s.TxErrs), TxDrop: known(s.TxDrop)}
		return env.emit(data, func(w io.Writer) {
			for _, f := range []struct {
				name  string
				value int64
			}{{"rx_bytes", s.RxBytes}, {"rx_packets", s.RxPackets}, {"rx_errs", s.RxErrs}, {"rx_drop", s.RxDrop},
				{"tx_bytes", s.TxBytes}, {"tx_packets", s.TxPackets}, {"tx_errs", s.TxErrs}, {"tx_drop", s.TxDrop}} {
				if f.value >= 0 {
					fmt.Fprintf(w, "%s %s %d\n", o.iface, f.name, f.value)
				}
			}
		})
	}
	return cmd
}

// blockInfoJSON is one disk in domblkinfo's data output (an object for
// one device, a list with --all); sizes in bytes, null when unknown.
type blockInfoJSON struct {
	Target        string  `json:"target,omitempty"`
	CapacityB     *uint64 `json:"capacity_bytes"`
	AllocationB   *uint64 `json:"allocation_bytes"`
	PhysicalBytes *uint64 `json:"physical_bytes"`
}

func newBlockInfoJSON(target string, i backend.BlockInfo) blockInfoJSON {
	out := blockInfoJSON{Target: target}
	if i != (backend.BlockInfo{}) {
		out.CapacityB, out.AllocationB, out.PhysicalBytes = &i.Capacity, &i.Allocation, &i.Physical
	}
	return out
}

// blockInfoCells are domblkinfo's three values in virsh's words: "-"
// when all are zero (no medium), bytes, or "%.3f UNIT" with --human.
func blockInfoCells(i backend.BlockInfo, human bool) [3]string {
	if i == (backend.BlockInfo{}) {
		return [3]string{"-", "-", "-"}
	}
	var out [3]string
	for k, v := range []uint64{i.Capacity, i.Allocation, i.Physical} {
		if human {
			val, unit := prettyCapacity(v)
			out[k] = fmt.Sprintf("%.3f %s", val, unit)
		} else {
			out[k] = strconv.FormatUint(v, 10)
		}
	}
	return out
}

// prettyCapacity is virsh's vshPrettyCapacity: the value in the largest
// binary unit it reaches.
func prettyCapacity(v uint64) (float64, string) {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(v)
	u := 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	return f, units[u]
}

func newDomblkinfoCmd(env *Env) *cobra.Command {
	var o struct {
		domain, device string
		human, all     bool
	}
	cmd := &cobra.Command{
		Use:   "domblkinfo",
		Short: "domain block device size information",
		Long:  "Get block device size info for a domain.",
	}
	domainArg(cmd, &o.domain)
	arg(cmd, &o.device, "device", "block device", false)
	cmd.Flags().BoolVar(&o.human, "human", false, "Human readable output")
	cmd.Flags().BoolVar(&o.all, "all", false, "display all block devices info")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		if err := exclusive(c, [2]string{"all", "device"}); err != nil {
			return err
		}
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		if !o.all && o.device == "" {
			return userError("", "command 'domblkinfo' requires <device> option")
		}
		stats, err := domainCapability[backend.DomainDeviceStats](conn.Domains(), "virDomainGetBlockInfo")
		if err != nil {
			return backendError(err)
		}
		if !o.all {
			info, err := stats.BlockInfo(ctx, d.Name, o.device)
			if err != nil {
				return backendError(err)
			}
			cells := blockInfoCells(info, o.human)
			return env.emit(newBlockInfoJSON("", info), func(w io.Writer) {
				format.KeyValue(w, 15, []format.Field{
					{Key: "Capacity:", Value: cells[0]}, {Key: "Allocation:", Value: cells[1]}, {Key: "Physical:", Value: cells[2]}})
			})
		}
		devs, err := domainDevices(ctx, env, d.Name, false)
		if err != nil {
			return err
		}
		data := []blockInfoJSON{}
		var rows [][]string
		for _, disk := range devs.Disks {
			target := ""
			if disk.Target != nil {
				target = disk.Target.Dev
			}
			var info backend.BlockInfo
			if disk.Source != nil {
				if info, err = stats.BlockInfo(ctx, d.Name, target); err != nil {
					return backendError(err)
				}
			}
			data = append(data, newBlockInfoJSON(target, info))
			cells := blockInfoCells(info, o.human)
			rows = append(rows, []string{target, cells[0], cells[1], cells[2]})
		}
		return env.emit(data, func(w io.Writer) {
			format.Table(w, []string{"Target", "Capacity", "Allocation", "Physical"}, rows, env.Quiet)
		})
	}
	return cmd
}
