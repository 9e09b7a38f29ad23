package testdrv

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
)

const securityModel = "testSecurity"

// numaCell is one NUMA cell of test:///default (node files have none).
type numaCell struct {
	memKiB   uint64
	firstCPU int
	cpus     int
	socket   int
}

type hostService struct{ c *conn }

// Hostname is the real host's name, as libvirt's test driver reports it.
func (hostService) Hostname(context.Context) (string, error) {
	name, err := os.Hostname()
	if err != nil {
		return "", backend.Internal("cannot get hostname: %v", err)
	}
	return name, nil
}

func (h hostService) NodeInfo(context.Context) (backend.NodeInfo, error) {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	return h.c.node, nil
}

func (hostService) Version(context.Context) (backend.Version, error) {
	return backend.Version{Hypervisor: "TEST", HypervisorVer: 2, Library: 9000000}, nil
}

func (hostService) SecurityModel(context.Context) (string, string, error) {
	return securityModel, "", nil
}

// Capabilities is testBuildCapabilities formatted by libvirt.
func (h hostService) Capabilities(context.Context) (string, error) {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	caps := elem("capabilities").add(h.c.hostCaps(), guestCaps("hvm"), guestCaps("xen")).format()
	// libvirt separates host and guests with blank lines.
	for _, tag := range []string{"\n  <host>", "\n  <guest>", "\n</capabilities>"} {
		caps = strings.ReplaceAll(caps, tag, "\n"+tag)
	}
	return caps, nil
}

var pageSizes = []string{"4", "8", "2048", "1048576"}

func (c *conn) hostCaps() *node {
	cpu := elem("cpu").add(elem("arch").text("i686"), elem("features").add(elem("pae"), elem("nonpae")))
	for _, size := range pageSizes {
		cpu.add(elem("pages", "unit", "KiB", "size", size))
	}
	cells := elem("cells", "num", strconv.Itoa(len(c.cells)))
	for i, cell := range c.cells {
		cells.add(cell.caps(i))
	}
	secmodel := elem("secmodel").add(elem("model").text(securityModel), elem("doi"))
	return elem("host").add(cpu, elem("power_management"), elem("iommu", "support", "no"),
		elem("topology").add(cells), secmodel)
}

// caps formats cell i; its first page size is 4 KiB, or 8 KiB for cell 1,
// as testBuildCapabilities sets it.
func (cell numaCell) caps(i int) *node {
	first := uint64(4)
	if i == 1 {
		first = 8
	}
	n := elem("cell", "id", strconv.Itoa(i)).add(
		elem("memory", "unit", "KiB").text(strconv.FormatUint(cell.memKiB, 10)),
		elem("pages", "unit", "KiB", "size", strconv.FormatUint(first, 10)).text(strconv.FormatUint(cell.memKiB/first, 10)))
	for _, size := range pageSizes[2:] {
		n.add(elem("pages", "unit", "KiB", "size", size).text("0"))
	}
	cpus := elem("cpus", "num", strconv.Itoa(cell.cpus))
	for id := cell.firstCPU; id < cell.firstCPU+cell.cpus; id++ {
		cpus.add(elem("cpu", "id", strconv.Itoa(id), "socket_id", strconv.Itoa(cell.socket), "die_id", "0",
			"core_id", strconv.Itoa(id-cell.firstCPU), "siblings", strconv.Itoa(id)))
	}
	return n.add(cpus)
}

func guestCaps(osType string) *node {
	return elem("guest").add(
		elem("os_type").text(osType),
		elem("arch", "name", "i686").add(
			elem("wordsize").text("32"),
			elem("emulator").text("/usr/bin/test-hv"),
			elem("domain", "type", "test")),
		elem("features").add(elem("pae"), elem("nonpae")))
}
