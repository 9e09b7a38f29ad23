package hostinfo

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	got, err := ParseCPUList("0-3,6,8-9")
	if err != nil || !reflect.DeepEqual(got, []int{0, 1, 2, 3, 6, 8, 9}) {
		t.Errorf("ParseCPUList = %v, %v", got, err)
	}
	if _, err := ParseCPUList("a-b"); err == nil {
		t.Error("ParseCPUList accepted garbage")
	}
}

// A recorded two-socket host: 2 sockets x 2 cores x 2 threads, 2 NUMA nodes.
func TestNodeInfoFromRecordedSysfs(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		p := filepath.Join(dir, path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sys/devices/system/cpu/online", "0-7\n")
	for cpu := 0; cpu < 8; cpu++ {
		topo := filepath.Join("sys/devices/system/cpu", "cpu"+string(rune('0'+cpu)), "topology")
		write(filepath.Join(topo, "physical_package_id"), string(rune('0'+cpu/4)))
		write(filepath.Join(topo, "core_id"), string(rune('0'+(cpu/2)%2)))
	}
	write("sys/devices/system/node/node0/cpulist", "0-3")
	write("sys/devices/system/node/node1/cpulist", "4-7")
	write("proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2445.406\n")
	write("proc/meminfo", "MemTotal:       16384000 kB\nMemFree: 1 kB\n")
	sysRoot, procRoot = filepath.Join(dir, "sys"), filepath.Join(dir, "proc")
	t.Cleanup(func() { sysRoot, procRoot = "/sys", "/proc" })

	info, err := NodeInfo()
	if err != nil {
		t.Fatal(err)
	}
	want := [...]int{8, 2445, 2, 1, 2, 2}
	got := [...]int{info.CPUs, info.MHz, info.Nodes, info.Sockets, info.Cores, info.Threads}
	if got != want || info.MemoryKiB != 16384000 {
		t.Errorf("NodeInfo = %+v; cpus,mhz,nodes,sockets,cores,threads = %v, want %v", info, got, want)
	}
}

func TestNodeInfoOfThisHost(t *testing.T) {
	info, err := NodeInfo()
	if err != nil {
		t.Fatal(err)
	}
	if info.CPUs != runtime.NumCPU() || info.MemoryKiB == 0 || info.Model == "" {
		t.Errorf("NodeInfo = %+v (runtime sees %d CPUs)", info, runtime.NumCPU())
	}
	caps, err := Service{}.Capabilities(context.Background())
	if err != nil || !strings.Contains(caps, "<arch>"+info.Model+"</arch>") {
		t.Errorf("Capabilities = %q, %v", caps, err)
	}
}
