package cgroup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseDeviceRule(t *testing.T) {
	for s, want := range map[string]deviceRule{
		"c 1:3 rwm":   {major: 1, minor: 3, access: unix.BPF_DEVCG_ACC_READ | unix.BPF_DEVCG_ACC_WRITE | unix.BPF_DEVCG_ACC_MKNOD},
		"b *:* m":     {blockDev: true, major: -1, minor: -1, access: unix.BPF_DEVCG_ACC_MKNOD},
		"c 136:* rw":  {major: 136, minor: -1, access: unix.BPF_DEVCG_ACC_READ | unix.BPF_DEVCG_ACC_WRITE},
		" c 5:2  r  ": {major: 5, minor: 2, access: unix.BPF_DEVCG_ACC_READ},
	} {
		got, err := parseDeviceRule(s)
		if err != nil || got != want {
			t.Errorf("parseDeviceRule(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	for _, s := range []string{"a", "a *:* rwm", "c 1:3", "c 1-3 rw", "c x:3 rw", "c 1:3 rwx", "c 1:3 -", "c 4294967296:1 r"} {
		if _, err := parseDeviceRule(s); err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("parseDeviceRule(%q) err = %v, want an error naming the rule", s, err)
		}
	}
	if _, err := deviceProgram([]string{"c 1:3 rwm", "c 1:3 q"}); err == nil {
		t.Error("a program was built from a bad rule")
	}
}

// testRules are the rules of TestDeviceFilter: mknod of anything, /dev/null
// fully, /dev/zero read-only, every pty.
var testRules = []string{"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 r", "c 136:* rwm"}

// deviceCase is one access the child tries; allowed is what testRules say.
type deviceCase struct {
	path    string // relative: under the test's directory
	flags   int
	mknod   uint32 // when non-zero: the child makes the node first (S_IFCHR|S_IFBLK)
	dev     int    // unix.Mkdev of the node
	allowed bool
}

var deviceCases = []deviceCase{
	{path: "/dev/null", flags: os.O_RDWR, allowed: true},
	{path: "/dev/zero", flags: os.O_RDONLY, allowed: true},
	{path: "/dev/zero", flags: os.O_WRONLY},
	{path: "full", flags: os.O_RDONLY, mknod: unix.S_IFCHR, dev: int(unix.Mkdev(1, 7))},
	{path: "tun", flags: os.O_RDWR, mknod: unix.S_IFCHR, dev: int(unix.Mkdev(10, 200))},
	{path: "loop", flags: os.O_RDONLY, mknod: unix.S_IFBLK, dev: int(unix.Mkdev(7, 0))},
	{path: "pty", flags: os.O_RDWR | unix.O_NOCTTY, mknod: unix.S_IFCHR, dev: int(unix.Mkdev(136, 4000)), allowed: true},
}

// TestDeviceFilterChild is the process TestDeviceFilter starts in its
// cgroup: it makes the nodes and opens them, one line per case.
func TestDeviceFilterChild(t *testing.T) {
	dir := os.Getenv("VIRTSH_DEVICE_FILTER_DIR")
	if dir == "" {
		return // run by TestDeviceFilter only
	}
	for _, c := range deviceCases {
		p := c.path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		result := "ok"
		if c.mknod != 0 {
			if err := unix.Mknod(p, c.mknod|0o600, c.dev); err != nil {
				result = "mknod: " + errName(err)
			}
		}
		if result == "ok" {
			f, err := os.OpenFile(p, c.flags, 0)
			if err != nil {
				result = "open: " + errName(err)
			} else {
				f.Close()
			}
		}
		fmt.Printf("%s %d %s\n", c.path, c.flags&3, result)
	}
	os.Exit(0)
}

func errName(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return unix.ErrnoName(errno)
	}
	return err.Error()
}

// cgroup2Mount is where this machine mounts a cgroup2 hierarchy (the whole
// tree on a v2 host, /sys/fs/cgroup/unified on a hybrid one).
func cgroup2Mount(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if f := strings.Fields(pre); ok && len(f) >= 5 && strings.HasPrefix(post, "cgroup2 ") {
			return unescapeMount(f[4])
		}
	}
	t.Fatal("no cgroup2 hierarchy is mounted: device filters need one")
	return ""
}

// TestDeviceFilter applies rules to a real cgroup v2 group, the way the
// driver does on a v2 host (Group.apply), and runs a process inside it that
// makes and opens device nodes: only what the rules allow may be opened,
// and the same opens succeed outside the group.
func TestDeviceFilter(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root: run the tests as root (CI does)")
	}
	cg := filepath.Join(cgroup2Mount(t), fmt.Sprintf("virtsh-devtest-%d", os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(cg); err != nil {
			t.Errorf("cannot remove the test cgroup: %v", err)
		}
	})
	g := &Group{V2: true, Dirs: map[string]string{"": cg}}
	if err := g.apply(Resources{Devices: testRules}); err != nil {
		t.Fatal(err)
	}
	// no rule applies: nothing happens, on v2 as on v1
	if err := g.apply(Resources{}); err != nil {
		t.Fatal(err)
	}

	got := runDeviceChild(t, g)
	if len(got) != len(deviceCases) {
		t.Fatalf("the child reported %v, want %d cases", got, len(deviceCases))
	}
	for _, c := range deviceCases {
		key := fmt.Sprintf("%s %d", c.path, c.flags&3)
		res := got[key]
		switch {
		case !c.allowed && res != "open: EPERM":
			t.Errorf("in the filtered cgroup, %s: %s, want open: EPERM", key, res)
		case c.allowed && c.mknod == 0 && res != "ok":
			t.Errorf("in the filtered cgroup, %s: %s, want ok", key, res)
		case c.allowed && strings.Contains(res, "EPERM"):
			// a node with no device behind it (pty 4000) fails later, with EIO
			t.Errorf("in the filtered cgroup, %s: %s, want it let through", key, res)
		}
	}
	// The same accesses from the parent cgroup are all allowed (so the
	// EPERMs above are the filter's): "tun" and "pty" have no device
	// behind them and fail with ENXIO or ENODEV, not EPERM.
	for key, res := range runDeviceChild(t, nil) {
		if strings.Contains(res, "EPERM") {
			t.Errorf("outside the filtered cgroup, %s: %s", key, res)
		}
	}
}

// runDeviceChild runs TestDeviceFilterChild in the group g (nil: in this
// process's cgroups) as the driver starts a container's first process,
// and returns its results by "path flags".
func runDeviceChild(t *testing.T, g *Group) map[string]string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeviceFilterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "VIRTSH_DEVICE_FILTER_DIR="+t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	err := (&Host{V2: true}).Start(g, cmd.SysProcAttr, nil, cmd.Start)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	got := map[string]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) == 3 {
			got[f[0]+" "+f[1]] = f[2]
		}
	}
	return got
}
