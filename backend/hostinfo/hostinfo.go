// Package hostinfo reads the real host's facts for drivers that run on it
// (QEMU, LXC, networks): hostname, virNodeInfo and the <host> part of the
// capabilities XML, the way libvirt's virhostcpu.c and virhostmem.c read
// them from /proc and /sys.
package hostinfo

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// sysRoot and procRoot are where /sys and /proc are read; tests point them
// at recorded trees.
var (
	sysRoot  = "/sys"
	procRoot = "/proc"
)

// Machine is the host's architecture as uname reports it (x86_64).
func Machine() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "unknown"
	}
	var b strings.Builder
	for _, c := range u.Machine {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}

// NodeInfo returns virNodeInfo for this host: online CPUs, their frequency,
// the NUMA, socket, core and thread counts, and memory in KiB.
func NodeInfo() (backend.NodeInfo, error) {
	info := backend.NodeInfo{Model: Machine(), Nodes: 1}
	cpus, err := onlineCPUs()
	if err != nil {
		return info, backend.OperationFailed("cannot read the host's CPUs: %v", err)
	}
	info.CPUs = len(cpus)
	info.MHz = cpuMHz()
	if nodes, _ := filepath.Glob(filepath.Join(sysRoot, "devices/system/node/node[0-9]*")); len(nodes) > 0 {
		info.Nodes = len(nodes)
	}
	sockets, cores := map[string]bool{}, map[string]bool{}
	for _, c := range cpus {
		topo := filepath.Join(sysRoot, "devices/system/cpu", "cpu"+strconv.Itoa(c), "topology")
		pkg := readTrim(filepath.Join(topo, "physical_package_id"))
		sockets[pkg] = true
		cores[pkg+"/"+readTrim(filepath.Join(topo, "core_id"))] = true
	}
	info.Sockets = max(1, len(sockets)/info.Nodes)
	info.Cores = max(1, len(cores)/max(1, len(sockets)))
	info.Threads = max(1, info.CPUs/max(1, len(cores)))
	info.MemoryKiB, err = memTotalKiB()
	if err != nil {
		return info, backend.OperationFailed("cannot read the host's memory size: %v", err)
	}
	return info, nil
}

// onlineCPUs parses /sys/devices/system/cpu/online ("0-3,6").
func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile(filepath.Join(sysRoot, "devices/system/cpu/online"))
	if err != nil {
		return nil, err
	}
	return ParseCPUList(strings.TrimSpace(string(b)))
}

// ParseCPUList parses the kernel's CPU list format ("0-3,6,8-9").
func ParseCPUList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, err
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

func cpuMHz() int {
	if khz, err := strconv.Atoi(readTrim(filepath.Join(sysRoot, "devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"))); err == nil {
		return khz / 1000
	}
	f, err := os.Open(filepath.Join(procRoot, "cpuinfo"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			mhz, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(mhz)
		}
	}
	return 0
}

func memTotalKiB() (uint64, error) {
	f, err := os.Open(filepath.Join(procRoot, "meminfo"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			return strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, sc.Err()
}

func readTrim(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

// HostUUID is the host's UUID for capabilities: the machine id, formatted
// as a UUID.
func HostUUID() string {
	id := readTrim("/etc/machine-id")
	if len(id) != 32 {
		return ""
	}
	return id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32]
}

// CapsHost returns the <host> element of the capabilities XML: UUID, CPU
// architecture and topology, and NUMA cells.
func CapsHost() (libvirtxml.CapsHost, error) {
	info, err := NodeInfo()
	if err != nil {
		return libvirtxml.CapsHost{}, err
	}
	return libvirtxml.CapsHost{
		UUID: HostUUID(),
		CPU: &libvirtxml.CapsHostCPU{
			Arch: info.Model,
			Topology: &libvirtxml.CapsHostCPUTopology{
				Sockets: info.Sockets, Cores: info.Cores, Threads: info.Threads,
			},
		},
	}, nil
}

// Service is a HostService for drivers running on this host; Caps builds
// the driver's capabilities XML (its guests) around CapsHost.
type Service struct {
	Caps func(host libvirtxml.CapsHost) (*libvirtxml.Caps, error)
	Ver  backend.Version
}

func (s Service) Hostname(context.Context) (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", backend.OperationFailed("cannot read the hostname: %v", err)
	}
	return h, nil
}

func (s Service) NodeInfo(context.Context) (backend.NodeInfo, error) { return NodeInfo() }

func (s Service) Capabilities(context.Context) (string, error) {
	host, err := CapsHost()
	if err != nil {
		return "", err
	}
	caps := &libvirtxml.Caps{Host: host}
	if s.Caps != nil {
		if caps, err = s.Caps(host); err != nil {
			return "", err
		}
	}
	out, err := caps.Marshal()
	if err != nil {
		return "", backend.Internal("cannot format capabilities: %v", err)
	}
	return out + "\n", nil
}

func (s Service) Version(context.Context) (backend.Version, error) { return s.Ver, nil }

// SecurityModel: virtsh applies no security driver (no SELinux or AppArmor
// labels) yet, so dominfo prints no security lines, as libvirt with
// security_driver = "none".
func (s Service) SecurityModel(context.Context) (string, string, error) { return "", "", nil }
