package qemu

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/tests/guest"
)

// BenchmarkChangeMediaVsRawQMP swaps the medium of the test guest's IDE
// cdrom between two images with UpdateDevice (what change-media --update
// runs: the live XML read, query-named-block-nodes, blockdev-add of two
// nodes, query-block, open-tray, remove-medium, insert-medium,
// close-tray, two blockdev-del, the live XML written; every QMP command
// through the supervisor's control socket) and, alternating in one loop,
// sends the bare QMP commands of the same swap straight to a QEMU started
// by hand with the same command line: the anchor, what the change costs
// QEMU itself. It reports the medians and the difference.
func BenchmarkChangeMediaVsRawQMP(b *testing.B) {
	kernel, initrd := guest.MustBuild(b)
	dir := b.TempDir()
	isos := [2]string{filepath.Join(dir, "a.iso"), filepath.Join(dir, "b.iso")}
	for _, p := range isos {
		if err := os.WriteFile(p, nil, 0o600); err != nil || os.Truncate(p, 1<<20) != nil {
			b.Fatal("cannot create the images")
		}
	}
	cdrom := fmt.Sprintf(`<disk type='file' device='cdrom'><source file='%s'/><target dev='hdc' bus='ide'/></disk>`, isos[0])
	c := openTest(b)
	doms := c.Domains()
	if _, err := doms.Define(ctx, guest.DomainXML("bench", kernel, initrd, "", cdrom), backend.DefineOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := doms.Start(ctx, "bench", backend.StartOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { doms.Destroy(ctx, "bench", backend.DestroyOptions{}) })

	def, err := c.parseDomain(guest.DomainXML("raw", kernel, initrd, "", cdrom))
	if err != nil {
		b.Fatal(err)
	}
	cmd, err := c.command(def.Domain)
	if err != nil {
		b.Fatal(err)
	}
	monitorPath := c.paths("raw").Monitor
	os.MkdirAll(filepath.Dir(monitorPath), 0o700)
	os.Remove(monitorPath)
	p := exec.Command(cmd.Path, cmd.Args...)
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Process.Kill(); p.Wait() })
	mon, err := connectQMP(monitorPath, 30*time.Second, func() bool { return true })
	if err != nil {
		b.Fatal(err)
	}
	defer mon.Disconnect()
	runQMP(mon, "cont", nil)
	time.Sleep(3 * time.Second) // past the firmware's probing of the drives, for both

	u := doms.(backend.DomainDeviceUpdate)
	oldNode := "libvirt-1-format"
	raw := func(i int, iso string) {
		node := fmt.Sprintf("raw-%d", i)
		for _, step := range []struct {
			cmd  string
			args any
		}{
			{"blockdev-add", map[string]any{"driver": "file", "filename": iso, "node-name": node + "-storage", "auto-read-only": true}},
			{"blockdev-add", map[string]any{"driver": "raw", "node-name": node + "-format", "read-only": true, "file": node + "-storage"}},
			{"blockdev-open-tray", map[string]any{"id": "ide0-1-0", "force": true}},
			{"blockdev-remove-medium", map[string]any{"id": "ide0-1-0"}},
			{"blockdev-insert-medium", map[string]any{"id": "ide0-1-0", "node-name": node + "-format"}},
			{"blockdev-close-tray", map[string]any{"id": "ide0-1-0"}},
			{"blockdev-del", map[string]any{"node-name": oldNode}},
			{"blockdev-del", map[string]any{"node-name": oldNode[:len(oldNode)-len("format")] + "storage"}},
		} {
			if _, err := runQMP(mon, step.cmd, step.args); err != nil {
				b.Fatalf("raw %s: %v", step.cmd, err)
			}
		}
		oldNode = node + "-format"
	}
	var virtsh, bare []time.Duration
	for i := 0; i < b.N; i++ {
		iso := isos[(i+1)%2]
		xml := fmt.Sprintf(`<disk type='file' device='cdrom'><source file='%s'/><target dev='hdc' bus='ide'/></disk>`, iso)
		viaDriver := func() {
			t0 := time.Now()
			if err := u.UpdateDevice(ctx, "bench", xml, backend.Scope{Live: true}, true); err != nil {
				b.Fatal(err)
			}
			virtsh = append(virtsh, time.Since(t0))
		}
		direct := func() {
			t0 := time.Now()
			raw(i, iso)
			bare = append(bare, time.Since(t0))
		}
		if i%2 == 0 {
			viaDriver()
			direct()
		} else {
			direct()
			viaDriver()
		}
	}
	ms := func(d []time.Duration) float64 { return float64(median(d).Microseconds()) / 1000 }
	b.ReportMetric(ms(virtsh), "update-ms")
	b.ReportMetric(ms(bare), "raw-qmp-ms")
	b.ReportMetric(ms(virtsh)-ms(bare), "over-raw-ms")
}
