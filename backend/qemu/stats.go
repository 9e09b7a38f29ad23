package qemu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// Stats is domstats: per domain, the groups asked for (all when none),
// with libvirt's field names.
func (d *domains) Stats(ctx context.Context, names []string, groups backend.StatsGroups) ([]backend.DomainStats, error) {
	if names == nil {
		all, err := d.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, i := range all {
			names = append(names, i.Name)
		}
	}
	if groups.None() {
		groups = backend.StatsGroups{State: true, CPUTotal: true, Balloon: true, VCPU: true, Interface: true, Block: true}
	}
	var out []backend.DomainStats
	for _, n := range names {
		s, err := d.stats(n, groups)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (d *domains) stats(name string, g backend.StatsGroups) (backend.DomainStats, error) {
	doc, st, running, _, err := d.definition(name, false)
	if err != nil {
		return backend.DomainStats{}, err
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return backend.DomainStats{}, backend.XMLError("%v", err)
	}
	info := d.infoOf(&dom, st, running, true)
	out := backend.DomainStats{Name: name}
	add := func(field string, v any) { out.Params = append(out.Params, backend.TypedParam{Field: field, Value: v}) }
	if g.State {
		add("state.state", int64(info.State))
		add("state.reason", int64(info.Reason))
	}
	if !running {
		return out, nil
	}
	if g.CPUTotal {
		user, sys := processTimes(st.QEMUPID)
		add("cpu.time", uint64(user+sys))
		add("cpu.user", uint64(user))
		add("cpu.system", uint64(sys))
	}
	if g.Balloon {
		add("balloon.current", info.MemKiB)
		add("balloon.maximum", info.MaxMemKiB)
		if stats, err := d.MemoryStats(context.Background(), name); err == nil {
			for _, m := range stats {
				if m.Tag != "actual" {
					add("balloon."+m.Tag, m.Value)
				}
			}
		}
	}
	if g.VCPU {
		max, cur := argv.VCPUs(&dom)
		add("vcpu.current", uint64(cur))
		add("vcpu.maximum", uint64(max))
		if ret, err := d.qmp(name, "query-cpus-fast", nil); err == nil {
			var cpus []struct {
				Index  int `json:"cpu-index"`
				Thread int `json:"thread-id"`
			}
			json.Unmarshal(ret, &cpus)
			for _, c := range cpus {
				user, sys := threadTimes(st.QEMUPID, c.Thread)
				add(fmt.Sprintf("vcpu.%d.state", c.Index), int64(1))
				add(fmt.Sprintf("vcpu.%d.time", c.Index), uint64(user+sys))
			}
		}
	}
	if g.Interface {
		d.interfaceStats(&dom, add)
	}
	if g.Block {
		d.blockStats(name, &dom, add)
	}
	return out, nil
}

func (d *domains) interfaceStats(dom *libvirtxml.Domain, add func(string, any)) {
	n := 0
	for _, i := range dom.Devices.Interfaces {
		if i.Target == nil || i.Target.Dev == "" {
			continue
		}
		s, err := tapStats(i.Target.Dev)
		if err != nil {
			continue
		}
		p := fmt.Sprintf("net.%d.", n)
		add(p+"name", i.Target.Dev)
		for _, f := range []struct {
			k string
			v int64
		}{{"rx.bytes", s.RxBytes}, {"rx.pkts", s.RxPackets}, {"rx.errs", s.RxErrs}, {"rx.drop", s.RxDrop},
			{"tx.bytes", s.TxBytes}, {"tx.pkts", s.TxPackets}, {"tx.errs", s.TxErrs}, {"tx.drop", s.TxDrop}} {
			add(p+f.k, uint64(f.v))
		}
		n++
	}
	add("net.count", uint64(n))
}

// tapStats reads a tap's counters; the guest's receive is the tap's
// transmit, so they are swapped, as libvirt does.
func tapStats(dev string) (backend.InterfaceStats, error) {
	read := func(f string) (int64, error) {
		b, err := os.ReadFile(filepath.Join("/sys/class/net", dev, "statistics", f))
		return atoi(strings.TrimSpace(string(b))), err
	}
	var s backend.InterfaceStats
	var err error
	for _, f := range []struct {
		p    *int64
		name string
	}{{&s.RxBytes, "tx_bytes"}, {&s.RxPackets, "tx_packets"}, {&s.RxErrs, "tx_errors"}, {&s.RxDrop, "tx_dropped"},
		{&s.TxBytes, "rx_bytes"}, {&s.TxPackets, "rx_packets"}, {&s.TxErrs, "rx_errors"}, {&s.TxDrop, "rx_dropped"}} {
		if *f.p, err = read(f.name); err != nil {
			return s, backend.InvalidArgument("invalid path, '%s' is not a known interface", dev)
		}
	}
	return s, nil
}

type blockStat struct {
	Device string `json:"device"`
	QDev   string `json:"qdev"`
	Node   string `json:"node-name"`
	Stats  struct {
		RdBytes    int64 `json:"rd_bytes"`
		WrBytes    int64 `json:"wr_bytes"`
		RdOps      int64 `json:"rd_operations"`
		WrOps      int64 `json:"wr_operations"`
		FlushOps   int64 `json:"flush_operations"`
		RdTimeNS   int64 `json:"rd_total_time_ns"`
		WrTimeNS   int64 `json:"wr_total_time_ns"`
		FlushTime  int64 `json:"flush_total_time_ns"`
		FailedRd   int64 `json:"failed_rd_operations"`
		FailedWr   int64 `json:"failed_wr_operations"`
		FailedFlsh int64 `json:"failed_flush_operations"`
	} `json:"stats"`
}

// blockStatsByDevice returns query-blockstats keyed by QEMU device id.
func (d *domains) blockStatsByDevice(name string) (map[string]blockStat, error) {
	ret, err := d.qmp(name, "query-blockstats", nil)
	if err != nil {
		return nil, err
	}
	var list []blockStat
	json.Unmarshal(ret, &list)
	out := map[string]blockStat{}
	for _, b := range list {
		id := b.QDev
		if i := strings.LastIndex(id, "/"); strings.HasPrefix(id, "/machine/") && i >= 0 {
			// /machine/peripheral/virtio-disk0/virtio-backend
			parts := strings.Split(id, "/")
			if len(parts) > 3 {
				id = parts[3]
			}
		}
		out[id] = b
	}
	return out, nil
}

func (d *domains) blockStats(name string, dom *libvirtxml.Domain, add func(string, any)) {
	cmd, err := d.c.command(dom)
	if err != nil {
		return
	}
	stats, _ := d.blockStatsByDevice(name)
	add("block.count", uint64(len(cmd.Disks)))
	for i, disk := range cmd.Disks {
		p := fmt.Sprintf("block.%d.", i)
		add(p+"name", disk.Target)
		if disk.Source != "" {
			add(p+"path", disk.Source)
		}
		if s, ok := stats[disk.Device]; ok {
			add(p+"rd.reqs", uint64(s.Stats.RdOps))
			add(p+"rd.bytes", uint64(s.Stats.RdBytes))
			add(p+"rd.times", uint64(s.Stats.RdTimeNS))
			add(p+"wr.reqs", uint64(s.Stats.WrOps))
			add(p+"wr.bytes", uint64(s.Stats.WrBytes))
			add(p+"wr.times", uint64(s.Stats.WrTimeNS))
			add(p+"fl.reqs", uint64(s.Stats.FlushOps))
			add(p+"fl.times", uint64(s.Stats.FlushTime))
		}
		if fi, err := os.Stat(disk.Source); err == nil && disk.Source != "" {
			add(p+"physical", uint64(fi.Size()))
		}
	}
}

// processTimes returns a process's user and system CPU time in ns.
func processTimes(pid int) (user, sys int64) {
	return statTimes(filepath.Join("/proc", itoa(pid), "stat"))
}

func threadTimes(pid, tid int) (user, sys int64) {
	return statTimes(filepath.Join("/proc", itoa(pid), "task", itoa(tid), "stat"))
}

func statTimes(path string) (user, sys int64) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, 0
	}
	const nsPerTick = 1e9 / 100
	return atoi(f[11]) * nsPerTick, atoi(f[12]) * nsPerTick
}
