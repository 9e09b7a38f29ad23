// Package cgroup places a container in control groups and reads them back:
// memory, cpu (shares, period, quota), cpuacct (CPU time), pids, freezer
// and devices, on cgroup v1 hosts (one hierarchy per controller) and on
// cgroup v2 hosts (the unified hierarchy), the way libvirt's vircgroupv1.c
// and vircgroupv2.c do.
//
// v1 groups live under the cgroup of the process that creates them (as
// libvirt places machines under its own partition); v2 groups live under
// the root of the unified hierarchy, because a v2 cgroup that holds
// processes cannot enable controllers for its children.
package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Parent is the directory every container's group is made in.
const Parent = "virtsh.lxc"

// v1Controllers are the v1 hierarchies a container is placed in.
var v1Controllers = []string{"memory", "cpu", "cpuacct", "pids", "freezer", "devices"}

// v2Controllers are the v2 controllers enabled for containers; the
// freezer is part of every v2 cgroup (cgroup.freeze).
var v2Controllers = []string{"memory", "cpu", "pids"}

// Host is the cgroup layout of this machine.
type Host struct {
	// V2 is true on a unified (v2-only) host.
	V2 bool
	// Mounts maps each v1 controller to its hierarchy's mount point; on v2,
	// "" maps to the unified mount point.
	Mounts map[string]string
	// Self maps each v1 controller to the calling process's cgroup in it.
	Self map[string]string
}

// Detect reads the layout from /proc/self/mountinfo and /proc/self/cgroup.
func Detect() (*Host, error) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("cannot read the mount table: %w", err)
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cannot read this process's cgroups: %w", err)
	}
	return parseLayout(string(mi), string(self))
}

// parseLayout finds the v1 hierarchies (or the v2 mount when no v1
// hierarchy holds the controllers needed) in a mountinfo text, and the
// process's own placement in a /proc/PID/cgroup text.
func parseLayout(mountinfo, selfCgroup string) (*Host, error) {
	h := &Host{Mounts: map[string]string{}, Self: map[string]string{}}
	unified := ""
	for _, line := range strings.Split(mountinfo, "\n") {
		// id parent major:minor root mountpoint options - fstype source superoptions
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		switch g[0] {
		case "cgroup2":
			if unified == "" {
				unified = unescapeMount(f[4])
			}
		case "cgroup":
			for _, opt := range strings.Split(g[2], ",") {
				for _, c := range v1Controllers {
					if opt == c {
						h.Mounts[c] = unescapeMount(f[4])
					}
				}
			}
		}
	}
	for _, line := range strings.Split(selfCgroup, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			h.Self[c] = parts[2]
		}
	}
	if len(h.Mounts) == 0 {
		if unified == "" {
			return nil, errors.New("no cgroup filesystem is mounted")
		}
		h.V2 = true
		h.Mounts = map[string]string{"": unified}
		return h, nil
	}
	var missing []string
	for _, c := range v1Controllers {
		if h.Mounts[c] == "" {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the cgroup v1 controllers %s are not mounted", strings.Join(missing, ", "))
	}
	return h, nil
}

// unescapeMount decodes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Group is one container's cgroup. It is stored in the container's
// runtime state, so that any later process (virtsh destroy after the
// controller died) finds the same directories.
type Group struct {
	V2 bool `json:"v2"`
	// Dirs maps each v1 controller to the group's directory in its
	// hierarchy; on v2, "" maps to the one directory.
	Dirs map[string]string `json:"dirs"`
}

// Resources are the limits of a container; zero means none.
type Resources struct {
	MemoryBytes uint64
	CPUShares   uint64
	CPUPeriodUS uint64
	CPUQuotaUS  int64 // negative or zero: no quota
	// Devices are v1 device-cgroup rules ("c 1:3 rwm") allowed after
	// denying all: written to devices.allow on v1, compiled into a device
	// filter program on v2. Nil leaves devices alone.
	Devices []string
}

// dirName is the group's directory name: a suffix keeps names such as
// "tasks" or "cpu.shares" from meeting v1 control files.
func dirName(name string) string { return name + ".lxc" }

// Create makes the group of the container name and applies res. An empty
// leftover group of the same name (from a crash) is replaced; a group that
// still holds processes is an error.
func (h *Host) Create(name string, res Resources) (*Group, error) {
	g := &Group{V2: h.V2, Dirs: map[string]string{}}
	if h.V2 {
		root := h.Mounts[""]
		if err := enableV2(root, filepath.Join(root, Parent)); err != nil {
			return nil, err
		}
		g.Dirs[""] = filepath.Join(root, Parent, dirName(name))
	} else {
		for _, c := range v1Controllers {
			g.Dirs[c] = filepath.Join(h.Mounts[c], h.Self[c], Parent, dirName(name))
		}
	}
	for _, dir := range g.uniqueDirs() {
		if err := makeGroupDir(dir); err != nil {
			return nil, err // what was made is empty: the next Create replaces it
		}
	}
	if err := g.apply(res); err != nil {
		g.Remove()
		return nil, err
	}
	return g, nil
}

// makeGroupDir creates the directory of a group, replacing an empty
// leftover (from a crash) so that none of its settings remain.
func makeGroupDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("cannot create cgroup %s: %w", filepath.Dir(dir), err)
	}
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, os.ErrExist) {
		if procs, _ := readPids(filepath.Join(dir, "cgroup.procs")); len(procs) > 0 {
			return fmt.Errorf("cgroup %s still holds processes %v", dir, procs)
		}
		if err = os.Remove(dir); err == nil {
			err = os.Mkdir(dir, 0o755)
		}
	}
	if err != nil {
		return fmt.Errorf("cannot create cgroup %s: %w", dir, err)
	}
	return nil
}

// enableV2 enables the container controllers in the subtree of root and
// of parent (created if needed).
func enableV2(root, parent string) error {
	avail, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return fmt.Errorf("cannot read the cgroup v2 controllers: %w", err)
	}
	have := strings.Fields(string(avail))
	var enable []string
	for _, c := range v2Controllers {
		found := false
		for _, a := range have {
			found = found || a == c
		}
		if !found {
			return fmt.Errorf("the cgroup v2 controller %s is not available in %s", c, root)
		}
		enable = append(enable, "+"+c)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("cannot create cgroup %s: %w", parent, err)
	}
	for _, dir := range []string{root, parent} {
		if err := write(dir, "cgroup.subtree_control", strings.Join(enable, " ")); err != nil {
			return err
		}
	}
	return nil
}

// uniqueDirs lists the group's directories once each (v1 controllers can
// share a hierarchy, as cpu,cpuacct often do).
func (g *Group) uniqueDirs() []string {
	seen := map[string]bool{}
	var out []string
	keys := v1Controllers
	if g.V2 {
		keys = []string{""}
	}
	for _, c := range keys {
		if d := g.Dirs[c]; d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

func (g *Group) dir(controller string) string {
	if g.V2 {
		return g.Dirs[""]
	}
	return g.Dirs[controller]
}

func (g *Group) apply(res Resources) error {
	if res.MemoryBytes > 0 {
		if err := g.SetMemoryLimit(res.MemoryBytes); err != nil {
			return err
		}
	}
	if res.CPUShares > 0 {
		if g.V2 {
			if err := write(g.dir("cpu"), "cpu.weight", strconv.FormatUint(SharesToWeight(res.CPUShares), 10)); err != nil {
				return err
			}
		} else if err := write(g.dir("cpu"), "cpu.shares", strconv.FormatUint(res.CPUShares, 10)); err != nil {
			return err
		}
	}
	if res.CPUPeriodUS > 0 || res.CPUQuotaUS != 0 {
		if err := g.setCPUBandwidth(res.CPUPeriodUS, res.CPUQuotaUS); err != nil {
			return err
		}
	}
	switch {
	case res.Devices == nil:
	case g.V2:
		return attachDeviceFilter(g.dir(""), res.Devices)
	default:
		dev := g.dir("devices")
		if err := write(dev, "devices.deny", "a"); err != nil {
			return err
		}
		for _, rule := range res.Devices {
			if err := write(dev, "devices.allow", rule); err != nil {
				return err
			}
		}
	}
	return nil
}

// SharesToWeight converts v1 cpu.shares (2..262144) to v2 cpu.weight
// (1..10000) as libvirt and the kernel documentation do.
func SharesToWeight(shares uint64) uint64 {
	shares = min(max(shares, 2), 262144)
	return 1 + (shares-2)*9999/262142
}

func (g *Group) setCPUBandwidth(periodUS uint64, quotaUS int64) error {
	if g.V2 {
		if periodUS == 0 {
			periodUS = 100000
		}
		quota := "max"
		if quotaUS > 0 {
			quota = strconv.FormatInt(quotaUS, 10)
		}
		return write(g.dir("cpu"), "cpu.max", quota+" "+strconv.FormatUint(periodUS, 10))
	}
	if periodUS > 0 {
		if err := write(g.dir("cpu"), "cpu.cfs_period_us", strconv.FormatUint(periodUS, 10)); err != nil {
			return err
		}
	}
	if quotaUS != 0 {
		if quotaUS < 0 {
			quotaUS = -1
		}
		return write(g.dir("cpu"), "cpu.cfs_quota_us", strconv.FormatInt(quotaUS, 10))
	}
	return nil
}

// SetMemoryLimit limits the group's memory; swap may not add to it (the
// v1 memsw and v2 swap limits are set where the kernel has them).
func (g *Group) SetMemoryLimit(bytes uint64) error {
	v := strconv.FormatUint(bytes, 10)
	dir := g.dir("memory")
	if g.V2 {
		if err := write(dir, "memory.max", v); err != nil {
			return err
		}
		if exists(dir, "memory.swap.max") {
			return write(dir, "memory.swap.max", "0")
		}
		return nil
	}
	// memsw must stay >= limit: raise memsw first when growing.
	memsw := exists(dir, "memory.memsw.limit_in_bytes")
	if memsw {
		if cur, err := readUint(dir, "memory.limit_in_bytes"); err == nil && bytes > cur {
			if err := write(dir, "memory.memsw.limit_in_bytes", v); err != nil {
				return err
			}
			return write(dir, "memory.limit_in_bytes", v)
		}
	}
	if err := write(dir, "memory.limit_in_bytes", v); err != nil {
		return err
	}
	if memsw {
		return write(dir, "memory.memsw.limit_in_bytes", v)
	}
	return nil
}

// Start runs fork, which starts a process with the attributes sys, so
// that the process is a member of the group g: nothing it runs ever lives
// outside. fork runs on a thread of its own, after onThread (when not nil:
// it may change the thread, e.g. join a pid namespace for the child; the
// thread is then never reused). On v2 the child is created in the group
// (sys gets clone3's CLONE_INTO_CGROUP). On v1 the thread moves itself
// into the group, forks (the child inherits its cgroups) and moves back:
// the kernel moves a lone calling thread without the global lock that
// moving a process takes, whose release waits for an RCU grace period
// (milliseconds). A nil g starts the process in the caller's cgroups.
func (h *Host) Start(g *Group, sys *syscall.SysProcAttr, onThread, fork func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		clean, err := h.startOnThread(g, sys, onThread, fork)
		if clean {
			runtime.UnlockOSThread()
		} // else the runtime ends the thread with the goroutine
		errc <- err
	}()
	return <-errc
}

// startOnThread forks from the calling thread, and reports whether the
// thread is left as it was.
func (h *Host) startOnThread(g *Group, sys *syscall.SysProcAttr, onThread, fork func() error) (clean bool, err error) {
	if onThread != nil {
		if err := onThread(); err != nil {
			return false, err
		}
	}
	switch {
	case g == nil:
		return onThread == nil, fork()
	case g.V2:
		fd, err := unix.Open(g.Dirs[""], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return onThread == nil, fmt.Errorf("cannot open cgroup %s: %w", g.Dirs[""], err)
		}
		defer unix.Close(fd)
		sys.UseCgroupFD, sys.CgroupFD = true, fd
		return onThread == nil, fork()
	}
	home := map[string]string{}
	for _, c := range v1Controllers {
		home[g.Dirs[c]] = filepath.Join(h.Mounts[c], h.Self[c])
	}
	moved := 0
	defer func() { // back home
		for _, dir := range g.uniqueDirs()[:moved] {
			if write(home[dir], "tasks", "0") != nil {
				clean = false
			}
		}
	}()
	for _, dir := range g.uniqueDirs() {
		if err := write(dir, "tasks", "0"); err != nil { // "0": the calling thread
			return onThread == nil, err
		}
		moved++
	}
	return onThread == nil, fork()
}

// Processes lists the group's processes.
func (g *Group) Processes() ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, dir := range g.uniqueDirs() {
		pids, err := readPids(filepath.Join(dir, "cgroup.procs"))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, p := range pids {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Freeze stops every process of the group and waits until the kernel
// says they are frozen.
func (g *Group) Freeze() error {
	if g.V2 {
		if err := write(g.dir(""), "cgroup.freeze", "1"); err != nil {
			return err
		}
	} else if err := write(g.dir("freezer"), "freezer.state", "FROZEN"); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		frozen, err := g.Frozen()
		if err != nil || frozen {
			return err
		}
		if time.Now().After(deadline) {
			g.Thaw()
			return errors.New("the processes did not freeze within 5 seconds")
		}
		time.Sleep(time.Millisecond)
	}
}

// Thaw resumes the group's processes.
func (g *Group) Thaw() error {
	if g.V2 {
		return write(g.dir(""), "cgroup.freeze", "0")
	}
	return write(g.dir("freezer"), "freezer.state", "THAWED")
}

// Frozen reports whether the group is completely frozen.
func (g *Group) Frozen() (bool, error) {
	if g.V2 {
		v, err := keyed(g.dir(""), "cgroup.events", "frozen")
		return v == 1, err
	}
	b, err := os.ReadFile(filepath.Join(g.dir("freezer"), "freezer.state"))
	return strings.TrimSpace(string(b)) == "FROZEN", err
}

// CPUTime is the CPU time the group's processes used.
func (g *Group) CPUTime() (time.Duration, error) {
	if g.V2 {
		us, err := keyed(g.dir(""), "cpu.stat", "usage_usec")
		return time.Duration(us) * time.Microsecond, err
	}
	ns, err := readUint(g.dir("cpuacct"), "cpuacct.usage")
	return time.Duration(ns), err
}

// MemoryUsage is the memory the group uses, in bytes.
func (g *Group) MemoryUsage() (uint64, error) {
	if g.V2 {
		return readUint(g.dir("memory"), "memory.current")
	}
	return readUint(g.dir("memory"), "memory.usage_in_bytes")
}

// SwapUsage is the swap the group uses, in bytes (0 where the kernel does
// not account it).
func (g *Group) SwapUsage() (uint64, error) {
	dir := g.dir("memory")
	if g.V2 {
		if !exists(dir, "memory.swap.current") {
			return 0, nil
		}
		return readUint(dir, "memory.swap.current")
	}
	if !exists(dir, "memory.memsw.usage_in_bytes") {
		return 0, nil
	}
	memsw, err := readUint(dir, "memory.memsw.usage_in_bytes")
	if err != nil {
		return 0, err
	}
	mem, err := readUint(dir, "memory.usage_in_bytes")
	if err != nil || memsw < mem {
		return 0, err
	}
	return memsw - mem, nil
}

// OOMKills is how many processes the kernel killed for exceeding the
// group's memory limit.
func (g *Group) OOMKills() (uint64, error) {
	if g.V2 {
		return keyed(g.dir("memory"), "memory.events", "oom_kill")
	}
	return keyed(g.dir("memory"), "memory.oom_control", "oom_kill")
}

// Remove deletes the group's directories, waiting a little for exiting
// processes to leave, then the shared parent when it is empty. Missing
// directories are not an error.
func (g *Group) Remove() error {
	var errs []error
	for _, dir := range g.uniqueDirs() {
		var err error
		for i := 0; i < 500; i++ { // up to ~1s: the kernel frees the group after its last process is reaped
			err = os.Remove(dir)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				err = nil
				break
			}
			if !errors.Is(err, syscall.EBUSY) {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot remove cgroup %s: %w", dir, err))
			continue
		}
		os.Remove(filepath.Dir(dir)) // the parent, when no other container uses it
	}
	return errors.Join(errs...)
}

// Exists reports whether any of the group's directories is still there.
func (g *Group) Exists() bool {
	for _, dir := range g.uniqueDirs() {
		if _, err := os.Stat(dir); err == nil {
			return true
		}
	}
	return false
}

func write(dir, file, value string) error {
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err == nil {
		_, err = f.WriteString(value)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("cannot set %s to %q in cgroup %s: %w", file, value, dir, err)
	}
	return nil
}

func exists(dir, file string) bool {
	_, err := os.Stat(filepath.Join(dir, file))
	return err == nil
}

func readUint(dir, file string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// keyed reads one "key value" line of a flat-keyed file (cpu.stat,
// memory.events, cgroup.events).
func keyed(dir, file, key string) (uint64, error) {
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			return strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s has no %s", filepath.Join(dir, file), key)
}

func readPids(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}
