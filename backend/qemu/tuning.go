package qemu

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// SetMemory changes the balloon target (live) and currentMemory (config).
func (d *domains) SetMemory(ctx context.Context, name string, kib uint64, scope backend.Scope) error {
	live, config, err := d.c.scopeOf(name, scope)
	if err != nil {
		return err
	}
	if config {
		err := d.c.editDefinitions(name, backend.Scope{Config: true}, func(dom *libvirtxml.Domain) error {
			if max, _ := argv.KiB(uint64(dom.Memory.Value), dom.Memory.Unit); kib > max {
				return backend.InvalidArgument("cannot set memory higher than max memory")
			}
			dom.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(kib), Unit: "KiB"}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if live {
		info, err := d.info(name)
		if err != nil {
			return err
		}
		if kib > info.MaxMemKiB {
			return backend.InvalidArgument("cannot set memory higher than max memory")
		}
		_, err = d.c.live(name, request{Op: opSetMem, KiB: kib}, 35*time.Second)
		return err
	}
	return nil
}

// SetMaxMemory changes <memory> of the persistent definition.
func (d *domains) SetMaxMemory(ctx context.Context, name string, kib uint64, scope backend.Scope) error {
	live, _, err := d.c.scopeOf(name, scope)
	if err != nil {
		return err
	}
	if live {
		return backend.ConfigUnsupported("cannot resize the maximum memory on an active domain")
	}
	return d.c.editDefinitions(name, backend.Scope{Config: true}, func(dom *libvirtxml.Domain) error {
		dom.Memory = &libvirtxml.DomainMemory{Value: uint(kib), Unit: "KiB"}
		if cur, _ := argv.KiB(uint64(dom.CurrentMemory.Value), dom.CurrentMemory.Unit); dom.CurrentMemory == nil || cur > kib {
			dom.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(kib), Unit: "KiB"}
		}
		return nil
	})
}

// scopeOf resolves "current" to live or config, as libvirt does.
func (c *Conn) scopeOf(name string, scope backend.Scope) (live, config bool, err error) {
	st, has, err := c.readStatus(name)
	if err != nil {
		return false, false, err
	}
	running := has && st.State.Active()
	_, persistent, _ := c.defs.Read(name)
	if !persistent && !has {
		return false, false, backend.NoDomain("no domain with matching name '%s'", name)
	}
	return scope.Resolve(running, persistent)
}

// SetVCPUs changes the vCPU count: the current one (hot-plugging vCPUs
// into a running guest) or, with Maximum, the maximum of the definition.
func (d *domains) SetVCPUs(ctx context.Context, name string, count int, opts backend.VCPUOptions) error {
	if count < 1 {
		return backend.InvalidArgument("vCPU count must be at least 1")
	}
	if opts.Guest {
		return backend.ConfigUnsupported("setting vCPUs through the guest agent is not supported")
	}
	live, config, err := d.c.scopeOf(name, opts.Scope)
	if err != nil {
		return err
	}
	if opts.Maximum && live {
		return backend.ConfigUnsupported("cannot change the maximum vCPU count of a running domain")
	}
	if live {
		if err := d.hotplugVCPUs(name, count); err != nil {
			return err
		}
		d.c.editDefinitions(name, backend.Scope{Live: true}, func(dom *libvirtxml.Domain) error {
			dom.VCPU.Current = uint(count)
			return nil
		})
	}
	if config {
		return d.c.editDefinitions(name, backend.Scope{Config: true}, func(dom *libvirtxml.Domain) error {
			max, _ := argv.VCPUs(dom)
			if opts.Maximum {
				dom.VCPU.Value = uint(count)
				if int(dom.VCPU.Current) > count {
					dom.VCPU.Current = uint(count)
				}
				return nil
			}
			if count > max {
				return backend.InvalidArgument("requested vcpus is greater than max allowable vcpus for the domain: %d > %d", count, max)
			}
			dom.VCPU.Current = uint(count)
			if count == max {
				dom.VCPU.Current = 0
			}
			return nil
		})
	}
	return nil
}

type hotpluggableCPU struct {
	Type    string         `json:"type"`
	Props   map[string]any `json:"props"`
	QOMPath string         `json:"qom-path"`
}

// hotplugVCPUs adds or removes vCPUs (device_add/device_del) until count run.
func (d *domains) hotplugVCPUs(name string, count int) error {
	ret, err := d.qmp(name, "query-hotpluggable-cpus", nil)
	if err != nil {
		return err
	}
	var cpus []hotpluggableCPU
	json.Unmarshal(ret, &cpus)
	max := len(cpus)
	if count > max {
		return backend.InvalidArgument("requested vcpus is greater than max allowable vcpus for the domain: %d > %d", count, max)
	}
	var plugged, free []hotpluggableCPU
	for _, c := range cpus {
		if c.QOMPath != "" {
			plugged = append(plugged, c)
		} else {
			free = append(free, c)
		}
	}
	for i := len(plugged); i < count; i++ {
		c := free[len(free)-1-(i-len(plugged))]
		args := map[string]any{"driver": c.Type, "id": "vcpu" + itoa(i)}
		for k, v := range c.Props {
			args[k] = v
		}
		if _, err := d.qmp(name, "device_add", args); err != nil {
			return err
		}
	}
	for i := len(plugged) - 1; i >= count; i-- {
		id := plugged[i].QOMPath
		if !strings.HasPrefix(id, "/machine/peripheral/") {
			return backend.OperationFailed("vCPU %d was not hot-plugged and cannot be removed while the guest runs", i)
		}
		if _, err := d.qmp(name, "device_del", map[string]any{"id": strings.TrimPrefix(id, "/machine/peripheral/")}); err != nil {
			return err
		}
	}
	return nil
}

// qmp runs a QMP command on a running domain.
func (d *domains) qmp(name, execute string, args any) (json.RawMessage, error) {
	cmd := map[string]any{"execute": execute}
	if args != nil {
		cmd["arguments"] = args
	}
	b, _ := json.Marshal(cmd)
	return d.c.live(name, request{Op: opQMP, Command: b}, 35*time.Second)
}

// MemoryStats is dommemstat: the balloon's size and the guest's
// statistics (when <memballoon><stats period> enables them), and QEMU's RSS.
func (d *domains) MemoryStats(ctx context.Context, name string) ([]backend.MemoryStat, error) {
	st, has, _ := d.c.readStatus(name)
	if !has || !st.State.Active() {
		return nil, backend.InvalidState("domain is not running")
	}
	var out []backend.MemoryStat
	if ret, err := d.qmp(name, "query-balloon", nil); err == nil {
		var b struct {
			Actual uint64 `json:"actual"`
		}
		json.Unmarshal(ret, &b)
		if ret, err := d.qmp(name, "qom-get", map[string]any{"path": "/machine/peripheral/balloon0", "property": "guest-stats"}); err == nil {
			var gs struct {
				Stats      map[string]int64 `json:"stats"`
				LastUpdate int64            `json:"last-update"`
			}
			json.Unmarshal(ret, &gs)
			for _, m := range []struct{ tag, key string }{
				{"swap_in", "stat-swap-in"}, {"swap_out", "stat-swap-out"}, {"major_fault", "stat-major-faults"},
				{"minor_fault", "stat-minor-faults"}, {"unused", "stat-free-memory"}, {"available", "stat-total-memory"},
				{"usable", "stat-available-memory"}, {"disk_caches", "stat-disk-caches"},
			} {
				if v, ok := gs.Stats[m.key]; ok && v >= 0 {
					if !strings.Contains(m.tag, "fault") && !strings.HasPrefix(m.tag, "swap") {
						v /= 1024
					}
					out = append(out, backend.MemoryStat{Tag: m.tag, Value: uint64(v)})
				}
			}
			if gs.LastUpdate > 0 {
				out = append(out, backend.MemoryStat{Tag: "last_update", Value: uint64(gs.LastUpdate)})
			}
		}
		out = append([]backend.MemoryStat{{Tag: "actual", Value: b.Actual / 1024}}, out...)
	}
	out = append(out, backend.MemoryStat{Tag: "rss", Value: processRSS(st.QEMUPID)})
	return out, nil
}

// processRSS is a process's resident set in KiB.
func processRSS(pid int) uint64 {
	b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return uint64(atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB")))
		}
	}
	return 0
}
