package cgroup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A v1 host like the CI machine: one hierarchy per controller, a hybrid
// unified mount without controllers, the process in a nested memory group.
const v1MountInfo = `25 1 0:23 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
26 25 0:24 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
27 25 0:25 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
28 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
29 25 0:27 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
30 25 0:28 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
31 25 0:29 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
32 25 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
33 25 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

const v1Self = `9:name=systemd:/
8:pids:/
6:freezer:/
5:devices:/
4:memory:/process_api/abc
2:cpuacct:/
1:cpu:/
0::/
`

func TestParseV1(t *testing.T) {
	h, err := parseLayout(v1MountInfo, v1Self)
	if err != nil {
		t.Fatal(err)
	}
	if h.V2 || h.Mounts["memory"] != "/sys/fs/cgroup/memory" || h.Mounts["cpuacct"] != "/sys/fs/cgroup/cpuacct" {
		t.Errorf("mounts %+v", h)
	}
	if h.Self["memory"] != "/process_api/abc" || h.Self["cpu"] != "/" {
		t.Errorf("self %+v", h.Self)
	}
}

func TestParseV1Comounted(t *testing.T) {
	mi := strings.Replace(v1MountInfo, "/sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu", "/sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct", 1)
	mi = strings.Replace(mi, "27 25 0:25 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n", "", 1)
	h, err := parseLayout(mi, strings.Replace(v1Self, "2:cpuacct:/\n1:cpu:/", "1:cpu,cpuacct:/", 1))
	if err != nil {
		t.Fatal(err)
	}
	if h.Mounts["cpu"] != "/sys/fs/cgroup/cpu,cpuacct" || h.Mounts["cpuacct"] != h.Mounts["cpu"] {
		t.Errorf("mounts %+v", h.Mounts)
	}
	g := &Group{Dirs: map[string]string{}}
	for _, c := range v1Controllers {
		g.Dirs[c] = filepath.Join(h.Mounts[c], h.Self[c], Parent, dirName("web"))
	}
	if n := len(g.uniqueDirs()); n != 5 {
		t.Errorf("%d directories for a shared cpu,cpuacct hierarchy, want 5", n)
	}
}

func TestParseMissingController(t *testing.T) {
	mi := strings.Replace(v1MountInfo, "rw,freezer", "rw,blkio", 1)
	if _, err := parseLayout(mi, v1Self); err == nil || !strings.Contains(err.Error(), "freezer") {
		t.Errorf("err = %v, want the missing freezer named", err)
	}
}

func TestParseV2(t *testing.T) {
	h, err := parseLayout("30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "0::/user.slice/session-1.scope\n")
	if err != nil {
		t.Fatal(err)
	}
	if !h.V2 || h.Mounts[""] != "/sys/fs/cgroup" {
		t.Errorf("%+v", h)
	}
}

// fakeV2 is a unified hierarchy in a temporary directory: the files the
// kernel would provide are created by hand.
func fakeV2(t *testing.T, controllers string) *Host {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte(controllers+"\n"), 0o644)
	return &Host{V2: true, Mounts: map[string]string{"": root}}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestV2Create(t *testing.T) {
	h := fakeV2(t, "cpuset cpu io memory pids")
	g, err := h.Create("web", Resources{MemoryBytes: 64 << 20, CPUShares: 2048, CPUPeriodUS: 50000, CPUQuotaUS: 25000})
	if err != nil {
		t.Fatal(err)
	}
	root := h.Mounts[""]
	dir := filepath.Join(root, Parent, "web.lxc")
	if g.Dirs[""] != dir {
		t.Errorf("dir %s, want %s", g.Dirs[""], dir)
	}
	for path, want := range map[string]string{
		filepath.Join(root, "cgroup.subtree_control"):         "+memory +cpu +pids",
		filepath.Join(root, Parent, "cgroup.subtree_control"): "+memory +cpu +pids",
		filepath.Join(dir, "memory.max"):                      "67108864",
		filepath.Join(dir, "cpu.weight"):                      "79",
		filepath.Join(dir, "cpu.max"):                         "25000 50000",
	} {
		if got := read(t, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
}

func TestV2MissingController(t *testing.T) {
	h := fakeV2(t, "cpu io")
	if _, err := h.Create("web", Resources{}); err == nil || !strings.Contains(err.Error(), "memory") {
		t.Errorf("err = %v, want the missing memory controller named", err)
	}
}

func TestV2ReadBack(t *testing.T) {
	h := fakeV2(t, "cpu memory pids")
	g, err := h.Create("web", Resources{})
	if err != nil {
		t.Fatal(err)
	}
	dir := g.Dirs[""]
	files := map[string]string{
		"cpu.stat":       "usage_usec 1500000\nuser_usec 1000000\n",
		"memory.current": "4096\n",
		"memory.events":  "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n",
		"cgroup.events":  "populated 1\nfrozen 1\n",
		"cgroup.procs":   "12\n13\n",
	}
	for f, v := range files {
		os.WriteFile(filepath.Join(dir, f), []byte(v), 0o644)
	}
	if cpu, err := g.CPUTime(); err != nil || cpu != 1500*time.Millisecond {
		t.Errorf("cpu %v %v", cpu, err)
	}
	if mem, err := g.MemoryUsage(); err != nil || mem != 4096 {
		t.Errorf("mem %v %v", mem, err)
	}
	if n, err := g.OOMKills(); err != nil || n != 1 {
		t.Errorf("oom kills %v %v", n, err)
	}
	if err := g.Freeze(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "cgroup.freeze")); got != "1" {
		t.Errorf("cgroup.freeze %q", got)
	}
	if err := g.Thaw(); err != nil || read(t, filepath.Join(dir, "cgroup.freeze")) != "0" {
		t.Errorf("thaw: %v", err)
	}
	if p, err := g.Processes(); err != nil || len(p) != 2 {
		t.Errorf("procs %v %v", p, err)
	}
}

func TestSharesToWeight(t *testing.T) {
	for shares, want := range map[uint64]uint64{2: 1, 1024: 39, 262144: 10000, 0: 1, 1 << 30: 10000} {
		if got := SharesToWeight(shares); got != want {
			t.Errorf("SharesToWeight(%d) = %d, want %d", shares, got, want)
		}
	}
}

// realHierarchy is this host's cgroup layout, for the tests that create
// real groups (as root).
func realHierarchy(t *testing.T) *Host {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("needs root: run the tests as root (CI does)")
	}
	h, err := Detect()
	if err != nil {
		t.Fatal(err)
	}
	if h.V2 {
		t.Logf("this host is cgroup v2: the v1 paths are covered by the fake-tree tests only")
	}
	return h
}

// TestV1Real creates a group on this (v1) host, starts a process in it,
// freezes and thaws it, reads its accounting and removes the group.
func TestV1Real(t *testing.T) {
	h := realHierarchy(t)
	name := "cgtest-" + strings.ReplaceAll(t.Name(), "/", "-")
	g, err := h.Create(name, Resources{MemoryBytes: 32 << 20, CPUShares: 512, CPUPeriodUS: 100000, CPUQuotaUS: 50000, Devices: []string{"c 1:3 rwm"}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if err := h.Start(g, cmd.SysProcAttr, nil, cmd.Start); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		g.Thaw()
		cmd.Process.Kill()
		cmd.Wait()
		if err := g.Remove(); err != nil {
			t.Error(err)
		}
		if g.Exists() {
			t.Error("group left behind")
		}
	})
	// the child only: the thread that forked it went back home
	if procs, _ := g.Processes(); len(procs) != 1 || procs[0] != cmd.Process.Pid {
		t.Errorf("processes %v, want [%d]", procs, cmd.Process.Pid)
	}
	self, _ := os.ReadFile("/proc/self/cgroup")
	if strings.Contains(string(self), name) {
		t.Errorf("this process is still in the group:\n%s", self)
	}
	if err := g.Freeze(); err != nil {
		t.Fatal(err)
	}
	if frozen, err := g.Frozen(); !frozen || err != nil {
		t.Errorf("frozen %v %v", frozen, err)
	}
	if err := g.Thaw(); err != nil {
		t.Fatal(err)
	}
	if frozen, _ := g.Frozen(); frozen {
		t.Error("still frozen after thaw")
	}
	if mem, err := g.MemoryUsage(); err != nil {
		t.Errorf("memory usage %d %v", mem, err)
	}
	if _, err := g.CPUTime(); err != nil {
		t.Error(err)
	}
	if !h.V2 {
		if got := strings.TrimSpace(read(t, filepath.Join(g.Dirs["memory"], "memory.limit_in_bytes"))); got != "33554432" {
			t.Errorf("memory limit %s", got)
		}
		if got := strings.TrimSpace(read(t, filepath.Join(g.Dirs["devices"], "devices.list"))); got != "c 1:3 rwm" {
			t.Errorf("devices.list %q", got)
		}
		if got := strings.TrimSpace(read(t, filepath.Join(g.Dirs["cpu"], "cpu.cfs_quota_us"))); got != "50000" {
			t.Errorf("quota %s", got)
		}
	}
}

// TestV1Leftover: an empty group left by a crash is replaced, with its
// settings; a group that holds a process is refused.
func TestV1Leftover(t *testing.T) {
	h := realHierarchy(t)
	if h.V2 {
		return
	}
	name := "cgtest-leftover"
	g, err := h.Create(name, Resources{MemoryBytes: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Remove(); err != nil {
			t.Error(err)
		}
	})
	if g, err = h.Create(name, Resources{}); err != nil {
		t.Fatalf("an empty leftover was not replaced: %v", err)
	}
	if got := strings.TrimSpace(read(t, filepath.Join(g.Dirs["memory"], "memory.limit_in_bytes"))); got == "33554432" {
		t.Errorf("the leftover's memory limit stayed")
	}
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if err := h.Start(g, cmd.SysProcAttr, nil, cmd.Start); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if _, err := h.Create(name, Resources{}); err == nil || !strings.Contains(err.Error(), "still holds processes") {
		t.Errorf("err = %v, want the busy group refused", err)
	}
}
