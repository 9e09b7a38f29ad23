package lxc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// The start and destroy benchmarks of the driver, side by side with
// LXC's own tools on the same busybox root filesystem (the anchor):
//
//	go test -run '^$' -bench . -benchtime 20x ./backend/lxc/
//
// Start is measured until the container runs (init executed); for the
// anchor, lxc-start -d then lxc-wait -s RUNNING.

func benchRoot(b *testing.B) string {
	root := b.TempDir()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		b.Fatal("busybox not found: install busybox-static")
	}
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	data, _ := os.ReadFile(bb)
	os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755)
	for _, a := range []string{"sh", "sleep"} {
		os.Symlink("busybox", filepath.Join(root, "bin", a))
	}
	return root
}

func BenchmarkVirtshStartDestroy(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root")
	}
	// Runtime state lives in /run, a tmpfs: keep it on one here too, or
	// the benchmark measures the test disk's fsync.
	root, err := os.MkdirTemp("/dev/shm", "virtsh-bench-")
	if err != nil {
		root = b.TempDir()
	}
	b.Cleanup(func() { os.RemoveAll(root) })
	b.Setenv("VIRTSH_ROOT", root)
	c, err := backend.Open(context.Background(), "lxc:///system", backend.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	doms := c.Domains()
	rootfs := benchRoot(b)
	xml := fmt.Sprintf(`<domain type='lxc'><name>bench</name><memory unit='MiB'>64</memory>
  <os><type>exe</type><init>/bin/sleep</init><initarg>1000</initarg></os>
  <devices><filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem><console type='pty'/></devices></domain>`, rootfs)
	if _, err := doms.Define(context.Background(), xml, backend.DefineOptions{}); err != nil {
		b.Fatal(err)
	}
	var start, destroy time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := doms.Start(context.Background(), "bench", backend.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := doms.Destroy(context.Background(), "bench", backend.DestroyOptions{}); err != nil {
			b.Fatal(err)
		}
		start += t1.Sub(t0)
		destroy += time.Since(t1)
	}
	b.ReportMetric(float64(start.Microseconds())/1000/float64(b.N), "ms-start")
	b.ReportMetric(float64(destroy.Microseconds())/1000/float64(b.N), "ms-destroy")
}

// BenchmarkLXCToolsStartStop is the anchor: lxc-start -d until RUNNING,
// and lxc-stop -k, on the same root filesystem.
func BenchmarkLXCToolsStartStop(b *testing.B) {
	if _, err := exec.LookPath("lxc-start"); err != nil {
		b.Fatal("lxc-start not found: install lxc (.ci/run does)")
	}
	path := b.TempDir()
	rootfs := benchRoot(b)
	os.MkdirAll(filepath.Join(path, "bench"), 0o755)
	config := fmt.Sprintf(`lxc.uts.name = bench
lxc.rootfs.path = dir:%s
lxc.init.cmd = /bin/sleep 1000
lxc.net.0.type = empty
lxc.mount.auto = proc:rw sys:ro
lxc.autodev = 1
lxc.pty.max = 1
lxc.cgroup.memory.limit_in_bytes = 67108864
`, rootfs)
	os.WriteFile(filepath.Join(path, "bench", "config"), []byte(config), 0o644)
	run := func(args ...string) {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	var start, stop time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		run("lxc-start", "-P", path, "-n", "bench", "-d")
		run("lxc-wait", "-P", path, "-n", "bench", "-s", "RUNNING", "-t", "10")
		t1 := time.Now()
		run("lxc-stop", "-P", path, "-n", "bench", "-k")
		start += t1.Sub(t0)
		stop += time.Since(t1)
	}
	b.ReportMetric(float64(start.Microseconds())/1000/float64(b.N), "ms-start")
	b.ReportMetric(float64(stop.Microseconds())/1000/float64(b.N), "ms-destroy")
}
