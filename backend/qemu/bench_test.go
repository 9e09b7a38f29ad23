package qemu

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"github.com/virtsh/virtsh/tests/guest"
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
	kernel, initrd := guest.MustBuild(b)
	c := openTest(b)
	if _, err := c.Domains().Define(ctx, guest.DomainXML("bench", kernel, initrd, "", ""), backend.DefineOptions{}); err != nil {
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
	raw := newRawQEMU(b)
	var start, stop time.Duration
	for i := 0; i < b.N; i++ {
		s, t := raw.run(b)
		start += s
		stop += t
	}
	b.ReportMetric(float64(start.Milliseconds())/float64(b.N), "start-ms")
	b.ReportMetric(float64(stop.Milliseconds())/float64(b.N), "sigterm-ms")
}

// rawQEMU starts the test guest's QEMU command line by hand.
type rawQEMU struct {
	cmd     *argv.Command
	monitor string
}

func newRawQEMU(b *testing.B) rawQEMU {
	kernel, initrd := guest.MustBuild(b)
	c := openTest(b)
	def, err := c.parseDomain(guest.DomainXML("raw", kernel, initrd, "", ""))
	if err != nil {
		b.Fatal(err)
	}
	cmd, err := c.command(def.Domain)
	if err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(c.paths("raw").Monitor), 0o700)
	return rawQEMU{cmd: cmd, monitor: c.paths("raw").Monitor}
}

// run starts QEMU until QMP answers and its CPUs run (start), then sends
// SIGTERM until it has exited (stop).
func (r rawQEMU) run(b *testing.B) (start, stop time.Duration) {
	os.Remove(r.monitor)
	t0 := time.Now()
	p := exec.Command(r.cmd.Path, r.cmd.Args...)
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	mon, err := connectQMP(r.monitor, 30*time.Second, func() bool { return true })
	if err != nil {
		p.Process.Kill()
		p.Wait()
		b.Fatal(err)
	}
	runQMP(mon, "cont", nil)
	t1 := time.Now()
	p.Process.Signal(syscall.SIGTERM)
	p.Wait()
	mon.Disconnect()
	return t1.Sub(t0), time.Since(t1)
}

// BenchmarkCLIStartVsRaw times `virtsh start` and `virtsh destroy` as
// whole processes (the binary built from this module, with its own
// supervisor), as users run them, and raw QEMU started by hand until QMP
// answers, then SIGTERMed, alternating in one loop (and which goes first)
// so that both sides meet the same load: QEMU's own start varies by tens
// of milliseconds over a minute here. It reports medians and the
// difference, the figure (goal: start at most 30 ms over raw).
func BenchmarkCLIStartVsRaw(b *testing.B) {
	raw := newRawQEMU(b)
	kernel, initrd := guest.MustBuild(b)
	bin := filepath.Join(b.TempDir(), "virtsh")
	build := exec.Command("go", "build", "-o", bin, "github.com/virtsh/virtsh")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	xmlPath := filepath.Join(b.TempDir(), "bench.xml")
	os.WriteFile(xmlPath, []byte(guest.DomainXML("bench", kernel, initrd, "", "")), 0o600)
	virtsh := func(args ...string) time.Duration {
		t0 := time.Now()
		cmd := exec.Command(bin, append([]string{"-q", "-c", "qemu:///system"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("virtsh %v: %v\n%s", args, err, out)
		}
		return time.Since(t0)
	}
	virtsh("define", xmlPath)
	var vStart, vStop, rStart, rStop []time.Duration
	for i := 0; i < b.N; i++ {
		cli := func() {
			vStart = append(vStart, virtsh("start", "bench"))
			vStop = append(vStop, virtsh("destroy", "bench"))
		}
		hand := func() {
			s, t := raw.run(b)
			rStart, rStop = append(rStart, s), append(rStop, t)
		}
		if i%2 == 0 {
			cli()
			hand()
		} else {
			hand()
			cli()
		}
	}
	ms := func(d []time.Duration) float64 { return float64(median(d).Microseconds()) / 1000 }
	b.ReportMetric(ms(vStart), "start-ms")
	b.ReportMetric(ms(rStart), "raw-start-ms")
	b.ReportMetric(ms(vStart)-ms(rStart), "over-raw-ms")
	b.ReportMetric(ms(vStop), "destroy-ms")
	b.ReportMetric(ms(rStop), "raw-sigterm-ms")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
