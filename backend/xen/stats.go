package xen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// sysRoot is where dom0's sysfs is read: the backend vifs' counters
// (/sys/class/net/vifD.N/statistics) and the block backends' counters
// (/sys/bus/xen-backend/devices/vbd-D-N/statistics). Tests replace it.
var sysRoot = "/sys"

func (s domains) MemoryStats(ctx context.Context, name string) ([]backend.MemoryStat, error) {
	v, err := s.c.active(ctx, name)
	if err != nil {
		return nil, err
	}
	info := v.info()
	return []backend.MemoryStat{{Tag: "actual", Value: info.MemKiB}}, nil
}

// Stats returns domstats records from xl list (state, CPU time, memory,
// vCPUs) and from the backend devices in dom0 (vifs and block devices).
func (s domains) Stats(ctx context.Context, names []string, groups backend.StatsGroups) ([]backend.DomainStats, error) {
	views, err := s.c.views(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	all := groups.None()
	var out []backend.DomainStats
	for _, v := range views {
		if names != nil && !want[v.name] {
			continue
		}
		delete(want, v.name)
		info := v.info()
		var p []backend.TypedParam
		add := func(field string, value any) { p = append(p, backend.TypedParam{Field: field, Value: value}) }
		if all || groups.State {
			add("state.state", int64(info.State))
			add("state.reason", int64(info.Reason))
		}
		if v.xl != nil && (all || groups.CPUTotal) {
			add("cpu.time", uint64(info.CPUTime.Nanoseconds()))
		}
		if all || groups.Balloon {
			add("balloon.current", info.MemKiB)
			add("balloon.maximum", info.MaxMemKiB)
		}
		if all || groups.VCPU {
			add("vcpu.current", uint64(info.VCPUs))
			add("vcpu.maximum", uint64(maxVCPUs(v, info)))
		}
		if v.xl != nil && v.live != "" && (all || groups.Interface || groups.Block) {
			d, err := parseDomain(v.live)
			if err != nil {
				return nil, err
			}
			if all || groups.Interface {
				p = append(p, nicStats(v.xl.ID, d)...)
			}
			if all || groups.Block {
				p = append(p, blockStats(v.xl.ID, d)...)
			}
		}
		out = append(out, backend.DomainStats{Name: v.name, Params: p})
	}
	for n := range want {
		return nil, backend.NoDomain("no domain with matching name '%s'", n)
	}
	return out, nil
}

func maxVCPUs(v *view, info backend.DomainInfo) int {
	if d, err := parseDomain(v.xml()); err == nil && d.VCPU != nil {
		return int(d.VCPU.Value)
	}
	return info.VCPUs
}

func readCounter(path string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}

// nicStats reads the counters of the domain's backend vifs, vif<domid>.<n>
// in interface order. They count from dom0's side, so, as libvirt does
// for bridged interfaces, received and transmitted are swapped to the
// guest's view.
func nicStats(domid int, d *libvirtxml.Domain) []backend.TypedParam {
	if d.Devices == nil {
		return nil
	}
	p := []backend.TypedParam{{Field: "net.count", Value: uint64(len(d.Devices.Interfaces))}}
	for i, nic := range d.Devices.Interfaces {
		dev := vifName(domid, i, &nic)
		prefix := fmt.Sprintf("net.%d.", i)
		p = append(p, backend.TypedParam{Field: prefix + "name", Value: dev})
		dir := filepath.Join(sysRoot, "class/net", dev, "statistics")
		for _, c := range []struct{ field, file string }{
			{"rx.bytes", "tx_bytes"}, {"rx.pkts", "tx_packets"}, {"rx.errs", "tx_errors"}, {"rx.drop", "tx_dropped"},
			{"tx.bytes", "rx_bytes"}, {"tx.pkts", "rx_packets"}, {"tx.errs", "rx_errors"}, {"tx.drop", "rx_dropped"},
		} {
			if n, ok := readCounter(filepath.Join(dir, c.file)); ok {
				p = append(p, backend.TypedParam{Field: prefix + c.field, Value: n})
			}
		}
	}
	return p
}

// vbdID is the xenstore device id of a virtual disk: xvdX (202<<8 | n<<4),
// hdX and sdX as Xen numbers them (xen-vbd-interface(7)).
func vbdID(dev string) (int, bool) {
	idx, ok := xlconfig.DiskIndex(dev)
	if !ok {
		return 0, false
	}
	switch {
	case strings.HasPrefix(dev, "xvd"):
		if idx < 16 {
			return 202<<8 | idx<<4, true
		}
		return 1<<28 | idx<<8, true
	case strings.HasPrefix(dev, "hd") && idx < 4:
		return []int{3 << 8, 3<<8 | 64, 22 << 8, 22<<8 | 64}[idx], true
	case strings.HasPrefix(dev, "sd") && idx < 16:
		return 8<<8 | idx<<4, true
	}
	return 0, false
}

// blockStats reads the counters of the domain's block backends
// (xen-blkback: requests and 512-byte sectors).
func blockStats(domid int, d *libvirtxml.Domain) []backend.TypedParam {
	if d.Devices == nil {
		return nil
	}
	p := []backend.TypedParam{{Field: "block.count", Value: uint64(len(d.Devices.Disks))}}
	for i, disk := range d.Devices.Disks {
		prefix := fmt.Sprintf("block.%d.", i)
		p = append(p, backend.TypedParam{Field: prefix + "name", Value: disk.Target.Dev})
		if disk.Source != nil && disk.Source.File != nil {
			p = append(p, backend.TypedParam{Field: prefix + "path", Value: disk.Source.File.File})
		} else if disk.Source != nil && disk.Source.Block != nil {
			p = append(p, backend.TypedParam{Field: prefix + "path", Value: disk.Source.Block.Dev})
		}
		id, ok := vbdID(disk.Target.Dev)
		if !ok {
			continue
		}
		dir := filepath.Join(sysRoot, "bus/xen-backend/devices", fmt.Sprintf("vbd-%d-%d", domid, id), "statistics")
		for _, c := range []struct {
			field, file string
			sectors     bool
		}{
			{"rd.reqs", "rd_req", false}, {"rd.bytes", "rd_sect", true},
			{"wr.reqs", "wr_req", false}, {"wr.bytes", "wr_sect", true}, {"fl.reqs", "f_req", false},
		} {
			if n, ok := readCounter(filepath.Join(dir, c.file)); ok {
				if c.sectors {
					n *= 512
				}
				p = append(p, backend.TypedParam{Field: prefix + c.field, Value: n})
			}
		}
	}
	return p
}
