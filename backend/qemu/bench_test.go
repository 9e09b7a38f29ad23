package qemu

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// Benchmarks of the targets, each beside its anchor where one
// runs here (raw QEMU). tests/qemu_bench.sh runs them; they report, they
// never fail on a slow machine.

func defineMany(b *testing.B, c *Conn, n int) {
	for i := 0; i < n; i++ {
		if _, err := c.Domains().Define(ctx, fmt.Sprintf(smallXML, fmt.Sprintf("d%04d", i)), backend.DefineOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefine1000 defines 1000 domains (one op = 1000 defines).
func BenchmarkDefine1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := openTest(b)
		b.StartTimer()
		defineMany(b, c, 1000)
	}
}

// BenchmarkList1000 lists 1000 defined domains (list --all).
func BenchmarkList1000(b *testing.B) {
	c := openTest(b)
	defineMany(b, c, 1000)
	c.Domains().List(ctx) // fills the list cache, as the first list after defines does
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if l, err := c.Domains().List(ctx); err != nil || len(l) != 1000 {
			b.Fatal(len(l), err)
		}
	}
}

// BenchmarkDominfo looks one domain up among 1000 (dominfo's backend work).
func BenchmarkDominfo(b *testing.B) {
	c := openTest(b)
	defineMany(b, c, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Domains().LookupByName(ctx, "d0500"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartDestroy starts the test guest's domain until Start returns
// (supervisor, QEMU, QMP, cont) and destroys it; start and destroy are
// reported separately.
func BenchmarkStartDestroy(b *testing.B) {
	kernel, initrd := testGuest(b)
	c := openTest(b)
	if _, err := c.Domains().Define(ctx, guestXML("bench", kernel, initrd, "", ""), backend.DefineOptions{}); err != nil {
		b.Fatal(err)
	}
	var start, destroy time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := c.Domains().Start(ctx, "bench", backend.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := c.Domains().Destroy(ctx, "bench", backend.DestroyOptions{}); err != nil {
			b.Fatal(err)
		}
		start += t1.Sub(t0)
		destroy += time.Since(t1)
	}
	b.ReportMetric(float64(start.Milliseconds())/float64(b.N), "start-ms")
	b.ReportMetric(float64(destroy.Milliseconds())/float64(b.N), "destroy-ms")
}

// BenchmarkRawQEMU is the anchor: the same QEMU command line started by
// hand until QMP answers, then SIGTERM until it has exited.
func BenchmarkRawQEMU(b *testing.B) {
	kernel, initrd := testGuest(b)
	c := openTest(b)
	dom, err := c.parseDomain(guestXML("raw", kernel, initrd, "", ""))
	if err != nil {
		b.Fatal(err)
	}
	cmd, err := c.command(dom)
	if err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(c.paths("raw").Monitor), 0o700)
	var start, stop time.Duration
	for i := 0; i < b.N; i++ {
		os.Remove(c.paths("raw").Monitor)
		t0 := time.Now()
		p := exec.Command(cmd.Path, cmd.Args...)
		if err := p.Start(); err != nil {
			b.Fatal(err)
		}
		mon, err := connectQMP(c.paths("raw").Monitor, 30*time.Second, func() bool { return true })
		if err != nil {
			p.Process.Kill()
			p.Wait()
			b.Fatal(err)
		}
		runQMP(mon, "cont", nil)
		t1 := time.Now()
		p.Process.Signal(syscall.SIGTERM)
		p.Wait()
		start += t1.Sub(t0)
		stop += time.Since(t1)
		mon.Disconnect()
	}
	b.ReportMetric(float64(start.Milliseconds())/float64(b.N), "start-ms")
	b.ReportMetric(float64(stop.Milliseconds())/float64(b.N), "sigterm-ms")
}
