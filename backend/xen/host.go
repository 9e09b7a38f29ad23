package xen

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// host is the HostService of a Xen connection: the facts come from
// `xl info`, the hypervisor's view (dom0's kernel sees only its vCPUs
// and memory).
type host struct{ c *Conn }

func (h host) info(ctx context.Context) (map[string]string, error) {
	out, err := h.c.xl(ctx, "info")
	if err != nil {
		return nil, err
	}
	return parseXLInfo(out), nil
}

func (h host) Hostname(context.Context) (string, error) {
	n, err := os.Hostname()
	if err != nil {
		return "", backend.OperationFailed("cannot read the hostname: %v", err)
	}
	return n, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// nodeInfo is virNodeInfo as libvirt's libxl driver computes it from
// libxl_physinfo.
func nodeInfo(info map[string]string) backend.NodeInfo {
	n := backend.NodeInfo{
		Model:   info["machine"],
		CPUs:    atoi(info["nr_cpus"]),
		Nodes:   max(1, atoi(info["nr_nodes"])),
		Cores:   max(1, atoi(info["cores_per_socket"])),
		Threads: max(1, atoi(info["threads_per_core"])),
	}
	mhz, _ := strconv.ParseFloat(info["cpu_mhz"], 64)
	n.MHz = int(mhz)
	n.Sockets = max(1, n.CPUs/(n.Nodes*n.Cores*n.Threads))
	mib, _ := strconv.ParseUint(info["total_memory"], 10, 64)
	n.MemoryKiB = mib * 1024
	return n
}

func (h host) NodeInfo(ctx context.Context) (backend.NodeInfo, error) {
	info, err := h.info(ctx)
	if err != nil {
		return backend.NodeInfo{}, err
	}
	return nodeInfo(info), nil
}

// capabilities builds libvirt's capabilities XML: the host's CPU and
// the guests xen_caps allows (xen-3.0-x86_64: PV, and PVH; hvm-3.0-*:
// HVM with hvmloader), as libxl_capabilities.c does.
func capabilities(info map[string]string) *libvirtxml.Caps {
	n := nodeInfo(info)
	caps := &libvirtxml.Caps{Host: libvirtxml.CapsHost{
		CPU: &libvirtxml.CapsHostCPU{Arch: n.Model,
			Topology: &libvirtxml.CapsHostCPUTopology{Sockets: n.Sockets, Cores: n.Cores, Threads: n.Threads}},
	}}
	xenDomain := []libvirtxml.CapsGuestDomain{{Type: "xen"}}
	seen := map[string]bool{}
	for _, c := range strings.Fields(info["xen_caps"]) {
		var kind, arch string
		switch {
		case strings.HasPrefix(c, "xen-3.0-"):
			kind, arch = "xen", strings.TrimPrefix(c, "xen-3.0-")
		case strings.HasPrefix(c, "hvm-3.0-"):
			kind, arch = "hvm", strings.TrimPrefix(c, "hvm-3.0-")
		default:
			continue
		}
		if arch == "x86_32p" || arch == "x86_32" {
			arch = "i686"
		}
		if seen[kind+arch] {
			continue
		}
		seen[kind+arch] = true
		g := libvirtxml.CapsGuest{OSType: kind, Arch: libvirtxml.CapsGuestArch{Name: arch, WordSize: wordSize(arch),
			Emulator: "/usr/lib/xen/bin/qemu-system-i386", Domains: xenDomain}}
		if kind == "xen" {
			g.Arch.Machines = []libvirtxml.CapsGuestMachine{{Name: "xenpv"}}
		} else {
			g.Arch.Loader = xlconfig.HVMLoader
			g.Arch.Machines = []libvirtxml.CapsGuestMachine{{Name: "xenfv"}}
		}
		caps.Guests = append(caps.Guests, g)
		if kind == "xen" && arch == "x86_64" && strings.Contains(info["virt_caps"], "hvm") {
			caps.Guests = append(caps.Guests, libvirtxml.CapsGuest{OSType: "xenpvh", Arch: libvirtxml.CapsGuestArch{
				Name: arch, WordSize: "64", Emulator: g.Arch.Emulator, Machines: []libvirtxml.CapsGuestMachine{{Name: "xenpvh"}}, Domains: xenDomain}})
		}
	}
	return caps
}

func wordSize(arch string) string {
	if strings.HasSuffix(arch, "64") {
		return "64"
	}
	return "32"
}

func (h host) Capabilities(ctx context.Context) (string, error) {
	info, err := h.info(ctx)
	if err != nil {
		return "", err
	}
	out, err := capabilities(info).Marshal()
	if err != nil {
		return "", backend.Internal("cannot format capabilities: %v", err)
	}
	return out + "\n", nil
}

// Version reports Xen's version from xl info (4.17.7 is 4017007).
func (h host) Version(ctx context.Context) (backend.Version, error) {
	info, err := h.info(ctx)
	if err != nil {
		return backend.Version{}, err
	}
	micro := atoi(strings.TrimPrefix(info["xen_extra"], "."))
	v := uint64(atoi(info["xen_major"]))*1000000 + uint64(atoi(info["xen_minor"]))*1000 + uint64(micro)
	return backend.Version{Hypervisor: "Xen", HypervisorVer: v, Library: 9000000}, nil
}

// SecurityModel: no security driver is applied to Xen guests.
func (h host) SecurityModel(context.Context) (string, string, error) { return "", "", nil }
