package xen_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	_ "github.com/virtsh/virtsh/backend/xen"
)

// This half runs inside the nested dom0 (TestXenNested starts it there).

const (
	virtsh     = "/usr/bin/virtsh"
	gorun      = "/usr/bin/gorun" // tests/xen/gorun: a Go program that only runs xl
	consoleLog = "/var/log/xen/console/guest-g1.log"
	guestMAC   = "00:16:3e:00:00:02"
)

// guestDomainXML is the test guest's domain XML: the kernel and initrd
// built for dom0, booted as machine ("xenpv" or "xenpvh", with ostype),
// on the Xen console, with one interface.
func guestDomainXML(name, machine, ostype, iface string) string {
	return `<domain type='xen'>
  <name>` + name + `</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='` + machine + `'>` + ostype + `</type>
    <kernel>/guest/vmlinuz</kernel>
    <initrd>/guest/domU.cpio.gz</initrd>
    <cmdline>console=hvc0 loglevel=4</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    ` + iface + `
    <console type='pty'>
      <target type='xen' port='0'/>
    </console>
  </devices>
</domain>
`
}

// guestXML is a PV guest with a vif on dom0's bridge.
var guestXML = guestDomainXML("g1", "xenpv", "linux",
	"<interface type='bridge'><mac address='"+guestMAC+"'/><source bridge='xenbr0'/></interface>")

// dom0 runs virtsh commands on xen:///system; the console and the
// statistics are also read through the driver's API, to check what the
// commands are built on.
type dom0 struct {
	t    *testing.T
	ctx  context.Context
	conn backend.Conn
}

// virtsh runs one command line and returns its output; a failure fails
// the test.
func (d *dom0) virtsh(args ...string) string {
	d.t.Helper()
	out, err := d.try(args...)
	if err != nil {
		d.t.Fatalf("virtsh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (d *dom0) try(args ...string) (string, error) {
	cmd := exec.CommandContext(d.ctx, virtsh, append([]string{"-c", "xen:///system"}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// wantOSTypeUndefined checks the OS type dominfo shows for running
// domain name from a virtsh with a state root of its own, to which the
// domain is what a guest of plain `xl create` is: no definition, no live
// XML, only what the hypervisor and libxl's xenstore records say.
func (d *dom0) wantOSTypeUndefined(name, osType string) {
	d.t.Helper()
	cmd := exec.CommandContext(d.ctx, virtsh, "-c", "xen:///system", "dominfo", name)
	cmd.Env = append(os.Environ(), "VIRTSH_ROOT="+d.t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OS Type:        "+osType+"\n") || !strings.Contains(string(out), "Persistent:     no") {
		d.t.Errorf("dominfo %s of a virtsh that did not define it: %v, want OS type %s:\n%s", name, err, osType, out)
	}
}

// state returns "state (reason)" as domstate --reason prints it.
func (d *dom0) state(name string) string {
	d.t.Helper()
	return strings.TrimSpace(d.virtsh("domstate", "--reason", name))
}

func (d *dom0) wantState(name, want string) {
	d.t.Helper()
	if got := d.state(name); got != want {
		d.t.Fatalf("state of %s: %q, want %q", name, got, want)
	}
}

// waitFor polls cond every 200 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

var heartbeat = regexp.MustCompile(`GUEST-HEARTBEAT (\d+)`)

// heartbeats counts the guest's heartbeat lines in its console log.
func heartbeats() int {
	b, _ := os.ReadFile(consoleLog)
	return len(heartbeat.FindAll(b, -1))
}

// consoleSize is the length of the guest's console log, where
// bootedSince starts reading.
func consoleSize() int {
	b, _ := os.ReadFile(consoleLog)
	return len(b)
}

// bootedSince says whether a boot logged after offset from (or anywhere,
// when the log was started anew) has reached the guest's heartbeat loop.
func bootedSince(from int) bool {
	b, _ := os.ReadFile(consoleLog)
	if len(b) < from {
		from = 0
	}
	up := strings.Index(string(b[from:]), "GUEST-UP")
	return up >= 0 && heartbeat.Match(b[from+up:])
}

func consoleHas(s string) bool {
	b, _ := os.ReadFile(consoleLog)
	return strings.Contains(string(b), s)
}

// runDom0 is TestXenNested's half inside the nested dom0: it drives a PV
// guest, then a PVH guest on a virtsh network, through the static virtsh
// and reports on the serial console.
func runDom0(t *testing.T) {
	root := t.TempDir()
	t.Setenv("VIRTSH_ROOT", root)
	ctx, cancel := context.WithTimeout(context.Background(), 14*time.Minute)
	defer cancel()
	conn, err := backend.Open(ctx, "xen:///system", backend.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := &dom0{t: t, ctx: ctx, conn: conn}
	doms := conn.Domains()
	xmlPath := filepath.Join(root, "g1.xml")
	if err := os.WriteFile(xmlPath, []byte(guestXML), 0o644); err != nil {
		t.Fatal(err)
	}

	// Host facts from xl info.
	if out := d.virtsh("nodeinfo"); !strings.Contains(out, "CPU model:           x86_64") {
		t.Errorf("nodeinfo:\n%s", out)
	}
	if out := d.virtsh("capabilities"); !strings.Contains(out, "<os_type>xen</os_type>") {
		t.Errorf("capabilities lack the PV guest:\n%s", out)
	}

	d.virtsh("define", xmlPath)
	d.wantState("g1", "shut off (unknown)")
	if out := d.virtsh("domxml-to-native", "xen-xl", "--domain", "g1"); !strings.Contains(out, `kernel = "/guest/vmlinuz"`) ||
		!strings.Contains(out, "bridge=xenbr0,script=vif-bridge") {
		t.Errorf("domxml-to-native:\n%s", out)
	}

	t.Log("start")
	d.virtsh("start", "g1")
	if !waitFor(5*time.Minute, func() bool { return consoleHas("GUEST-UP") }) {
		t.Fatal("the guest printed nothing on its console in 5 minutes")
	}
	d.wantState("g1", "running (booted)")
	if out := d.virtsh("list", "--all"); !regexp.MustCompile(`\d+\s+g1\s+running`).MatchString(out) {
		t.Errorf("list --all:\n%s", out)
	}
	info := d.virtsh("dominfo", "g1")
	for _, want := range []string{"Name:           g1", "State:          running", "Persistent:     yes", "Max memory:     131072 KiB"} {
		if !strings.Contains(info, want) {
			t.Errorf("dominfo lacks %q:\n%s", want, info)
		}
	}

	t.Log("console")
	if cons, ok := doms.(backend.DomainConsole); ok {
		checkConsole(t, ctx, cons)
	}

	t.Log("suspend and resume")
	d.virtsh("suspend", "g1")
	d.wantState("g1", "paused (user)")
	before := heartbeats()
	time.Sleep(3 * time.Second)
	if after := heartbeats(); after > before+1 {
		t.Errorf("the guest ran while paused: %d -> %d heartbeats", before, after)
	}
	d.virtsh("resume", "g1")
	d.wantState("g1", "running (unpaused)")
	before = heartbeats()
	if !waitFor(20*time.Second, func() bool { return heartbeats() > before+1 }) {
		t.Errorf("no heartbeat after resume")
	}

	t.Log("stats")
	checkStats(t, ctx, doms)

	t.Log("attach and detach an interface and a disk")
	d.virtsh("attach-interface", "g1", "bridge", "xenbr0", "--mac", "00:16:3e:00:00:09")
	if !waitFor(30*time.Second, func() bool {
		_, err := os.Stat("/sys/class/net/xenbr0/brif/vif" + domid(t, ctx, doms) + ".1")
		return err == nil
	}) {
		t.Errorf("the attached vif did not join xenbr0")
	}
	d.virtsh("detach-interface", "g1", "bridge", "--mac", "00:16:3e:00:00:09")
	disk := filepath.Join(root, "disk2.img")
	if err := os.WriteFile(disk, make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	d.virtsh("attach-disk", "g1", disk, "xvdb")
	if !waitFor(60*time.Second, func() bool { return consoleHas(" xvdb") }) {
		t.Errorf("the guest does not see the attached disk xvdb")
	}
	if x, _ := doms.XML(ctx, "g1", backend.XMLOptions{}); !strings.Contains(x, "<target dev=\"xvdb\"") {
		t.Errorf("the live XML lacks the attached disk:\n%s", x)
	}
	d.virtsh("detach-disk", "g1", "xvdb")

	t.Log("save and restore")
	save := filepath.Join(root, "g1.save")
	d.virtsh("save", "g1", save)
	d.wantState("g1", "shut off (saved)")
	d.virtsh("restore", save)
	d.wantState("g1", "running (restored)")
	before = heartbeats()
	if !waitFor(30*time.Second, func() bool { return heartbeats() > before+1 }) {
		t.Errorf("no heartbeat after restore")
	}

	t.Log("shutdown")
	d.virtsh("shutdown", "g1")
	if !waitFor(2*time.Minute, func() bool { return strings.HasPrefix(d.state("g1"), "shut off") }) {
		t.Fatalf("g1 did not shut down in 2 minutes: %s", d.state("g1"))
	}
	d.wantState("g1", "shut off (shutdown)")

	t.Log("start and destroy")
	d.virtsh("start", "g1")
	d.wantState("g1", "running (booted)")
	checkLookupWithoutXL(t, d)
	d.wantOSTypeUndefined("g1", "linux")
	d.virtsh("destroy", "g1")
	d.wantState("g1", "shut off (destroyed)")

	benchmark(t, d)

	t.Log("PVH guest on a virtual network")
	pvhOnNetwork(t, d, root)

	t.Log("HVM guest with QEMU's device model")
	hvmGuest(t, d, root)

	d.virtsh("undefine", "g1")
	if _, err := doms.LookupByName(ctx, "g1"); err == nil {
		t.Errorf("g1 still exists after undefine")
	}
	if out, err := d.try("dominfo", "g1"); err == nil || !strings.Contains(out, "failed to get domain 'g1'") {
		t.Errorf("dominfo of an undefined domain: %v\n%s", err, out)
	}
}

// checkLookupWithoutXL runs virtsh with no xl in PATH: the lookups of
// domstate and dominfo read xenstore and the hypervisor directly, and see
// a pause made behind virtsh's back, with xl's domain id and UUID.
func checkLookupWithoutXL(t *testing.T, d *dom0) {
	t.Helper()
	xl := func(args ...string) string {
		out, err := exec.CommandContext(d.ctx, "xl", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("xl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	noXL := func(args ...string) string {
		cmd := exec.CommandContext(d.ctx, virtsh, append([]string{"-c", "xen:///system"}, args...)...)
		cmd.Env = append(os.Environ(), "PATH=/nonexistent")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("virtsh %s without xl in PATH: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	xl("pause", "g1")
	defer xl("unpause", "g1")
	if got := strings.TrimSpace(noXL("domstate", "--reason", "g1")); got != "paused (unknown)" {
		t.Errorf("domstate after xl pause, without xl: %q", got)
	}
	info := noXL("dominfo", "g1")
	id := strings.TrimSpace(xl("domid", "g1"))
	var uuid string
	for _, l := range strings.Split(xl("list", "-v", "g1"), "\n") {
		if f := strings.Fields(l); len(f) > 6 && f[0] == "g1" {
			uuid = f[6]
		}
	}
	for _, want := range []string{"Id:             " + id, "UUID:           " + uuid, "State:          paused"} {
		if !strings.Contains(info, want) {
			t.Errorf("dominfo without xl lacks %q:\n%s", want, info)
		}
	}
	if out := noXL("list", "--all"); !regexp.MustCompile(`\b0\s+Domain-0\s+running`).MatchString(out) ||
		!regexp.MustCompile(`\b`+id+`\s+g1\s+paused`).MatchString(out) {
		t.Errorf("list --all without xl:\n%s", out)
	}
}

func domid(t *testing.T, ctx context.Context, doms backend.DomainService) string {
	info, err := doms.LookupByName(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(info.ID)
}

// checkConsole reads the guest's heartbeats from its console pty.
func checkConsole(t *testing.T, ctx context.Context, cons backend.DomainConsole) {
	c, err := cons.OpenConsole(ctx, "g1", "", false)
	if err != nil {
		t.Errorf("console: %v", err)
		return
	}
	defer c.Close()
	got := make(chan string, 1)
	go func() {
		var seen []byte
		buf := make([]byte, 4096)
		for !heartbeat.Match(seen) {
			n, err := c.Read(buf)
			if err != nil && err != io.EOF {
				break
			}
			seen = append(seen, buf[:n]...)
		}
		got <- string(seen)
	}()
	select {
	case s := <-got:
		if !heartbeat.MatchString(s) {
			t.Errorf("console: no heartbeat in %q", s)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("console: nothing read in 20 s")
	}
}

func checkStats(t *testing.T, ctx context.Context, doms backend.DomainService) {
	stats, err := doms.Stats(ctx, []string{"g1"}, backend.StatsGroups{})
	if err != nil || len(stats) != 1 {
		t.Errorf("domstats: %v %v", stats, err)
		return
	}
	fields := map[string]any{}
	for _, p := range stats[0].Params {
		fields[p.Field] = p.Value
	}
	for _, f := range []string{"state.state", "cpu.time", "balloon.current", "vcpu.current", "net.0.name", "net.0.rx.bytes"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("domstats lacks %s: %v", f, fields)
		}
	}
	t.Logf("domstats g1: %v", fields)
}

// benchmark times virtsh start/destroy against xl create/destroy of the
// same configuration, several rounds each; it reports, never fails. The
// two sides take turns going first (ABBA), and each pair starts after the
// hypervisor has had a moment to scrub the memory of the last guest, so
// neither side inherits the other's background work. Each destroy waits
// until the guest has booted and idles (its heartbeat loop): destroyed
// while it boots, the guest's progress decides xl's own time (its
// frontends connected or not, 1.6 to 3.7 s for the same command), and
// the side whose destroy comes later in the boot pays for it. Both sides run xl
// through a wrapper that records the time spent inside xl (from
// /proc/uptime, 10 ms steps), so that virtsh's own share, the total
// minus xl's, is reported apart from xl's, which swings by seconds under
// nested emulation, and beside the floor of any Go program that runs xl
// (gorun). Medians and means are both reported.
func benchmark(t *testing.T, d *dom0) {
	// At most 4 rounds, in pairs (one of each order), as long as the
	// next pair fits in benchBudget: on a loaded machine the rounds take
	// twice as long, and the whole test must stay within its timeout.
	const rounds, benchBudget = 4, 6 * time.Minute
	benchStart := time.Now()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "g1.cfg")
	if err := os.WriteFile(cfg, []byte(d.virtsh("domxml-to-native", "xen-xl", "--domain", "g1")), 0o644); err != nil {
		t.Fatal(err)
	}
	xl := xlTimer(t, dir)
	path := "PATH=" + dir + ":" + os.Getenv("PATH")
	run := func(args ...string) func() error {
		return func() error {
			cmd := exec.CommandContext(d.ctx, args[0], args[1:]...)
			cmd.Env = append(os.Environ(), path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
			}
			return nil
		}
	}
	settle := func() { time.Sleep(3 * time.Second) }
	// Each destroy runs while the guest that just started boots on the
	// nested host's one CPU. dom0 gets four times the guest's scheduler
	// weight, as Xen's tuning advice has it for dom0, so that the
	// toolstack (xl's and virtsh's alike) is not starved by that boot.
	if out, err := exec.CommandContext(d.ctx, "xl", "sched-credit2", "-d", "Domain-0", "-w", "1024").CombinedOutput(); err != nil {
		t.Logf("benchmark: cannot raise dom0's weight: %v %s", err, out)
	} else {
		defer exec.Command("xl", "sched-credit2", "-d", "Domain-0", "-w", "256").Run()
	}
	// The floor of virtsh's share: starting the binary (-V), and that
	// plus opening the connection and a lookup (domstate), with no guest
	// running.
	for _, args := range [][]string{{"-V"}, {"-c", "xen:///system", "domstate", "g1"}} {
		var took []float64
		for i := 0; i < 3; i++ {
			start := time.Now()
			run(append([]string{virtsh}, args...)...)()
			took = append(took, time.Since(start).Seconds())
		}
		fmt.Printf("XENBENCH virtsh %s takes %.2fs (median of 3)\n", strings.Join(args, " "), median(took))
	}
	// The floor of any Go program that drives xl: gorun, which only runs
	// xl, against xl alone, taking turns, on a command of little work of
	// its own (xl list). Its time beyond xl's is the cost of starting a
	// Go process and a child from it, under which virtsh's own share
	// cannot go.
	var alone [2][]float64 // time beyond xl's of [0] gorun xl, [1] xl
	for i := 0; i < 6; i++ {
		for s, args := range [][]string{{gorun, xl.path, "list"}, {xl.path, "list"}} {
			xl.reset()
			start := time.Now()
			if err := run(args...)(); err != nil {
				t.Logf("benchmark floor: %v", err)
			}
			in, _, _, _ := xl.spent()
			alone[s] = append(alone[s], time.Since(start).Seconds()-in)
		}
	}
	floor := median(alone[0]) - median(alone[1])
	fmt.Printf("XENBENCH floor: a Go program that only runs xl (gorun) adds %.2fs to xl's own time (median of 6)\n", floor)
	// sides[0] is virtsh, sides[1] xl; steps[0] start, steps[1] destroy.
	sides := [2][2]func() error{
		{run(virtsh, "-c", "xen:///system", "start", "g1"), run(virtsh, "-c", "xen:///system", "destroy", "g1")},
		{run(xl.path, "create", "-q", cfg), run(xl.path, "destroy", "g1")},
	}
	var total, inXL [2][2][]float64
	logAt := 0
	step := func(s, k int) {
		if k == 0 {
			logAt = consoleSize()
		} else if !waitFor(3*time.Minute, func() bool { return bootedSince(logAt) }) {
			t.Logf("benchmark: the guest did not boot in 3 minutes; destroying it anyway")
		}
		xl.reset()
		up0 := uptime()
		start := time.Now()
		if err := sides[s][k](); err != nil {
			t.Logf("benchmark step failed: %v", err)
		}
		took := time.Since(start).Seconds()
		up1 := uptime()
		in, calls, first, last := xl.spent()
		if s == 0 {
			// Where virtsh's time goes: before its first xl, inside xl,
			// after its last.
			fmt.Printf("XENBENCH virtsh %s: %.2fs before xl, %.2fs in %d xl, %.2fs after\n",
				[2]string{"start", "destroy"}[k], first-up0, in, calls, up1-last)
		}
		total[s][k] = append(total[s][k], took)
		inXL[s][k] = append(inXL[s][k], in)
	}
	for i := 0; i < rounds; i++ {
		if i > 0 && i%2 == 0 && time.Since(benchStart)*time.Duration(i+2)/time.Duration(i) > benchBudget {
			t.Logf("benchmark: %d rounds took %s; the next two would pass %s: stopping", i, time.Since(benchStart).Round(time.Second), benchBudget)
			break
		}
		order := []int{0, 1}
		if i%2 == 1 {
			order = []int{1, 0}
		}
		for _, s := range order {
			settle()
			step(s, 0)
			step(s, 1)
		}
		last := func(s, k int) (float64, float64) { return total[s][k][i], inXL[s][k][i] }
		vs, vsx := last(0, 0)
		vd, vdx := last(0, 1)
		xs, xsx := last(1, 0)
		xd, xdx := last(1, 1)
		fmt.Printf("XENBENCH round %d (%s first): virtsh start %.2fs (in xl %.2fs) destroy %.2fs (in xl %.2fs) | xl create %.2fs (in xl %.2fs) destroy %.2fs (in xl %.2fs)\n",
			i+1, [2]string{"virtsh", "xl"}[order[0]], vs, vsx, vd, vdx, xs, xsx, xd, xdx)
	}
	pct := func(a, b float64) float64 { return 100 * (a - b) / b }
	for k, what := range []string{"start vs xl create", "destroy vs xl destroy"} {
		for _, stat := range []struct {
			name string
			f    func([]float64) float64
		}{{"median", median}, {"mean", mean}} {
			v, x := stat.f(total[0][k]), stat.f(total[1][k])
			own := stat.f(diff(total[0][k], inXL[0][k])) - stat.f(diff(total[1][k], inXL[1][k]))
			// The totals swing with xl's own time; virtsh's own time
			// beyond xl's, against xl's total, is what virtsh adds.
			fmt.Printf("XENBENCH %s of %d, %s: %.2fs vs %.2fs (%+.1f%%); in xl %.2fs vs %.2fs; virtsh's own time beyond xl's %+.2fs (%+.1f%% of xl's total), of which the floor %.2fs (%.1f%%)\n",
				stat.name, len(total[0][k]), what, v, x, pct(v, x), stat.f(inXL[0][k]), stat.f(inXL[1][k]), own, 100*own/x, floor, 100*floor/x)
		}
	}
}

// xlWrapper is an xl in front of the real one that logs the uptime
// before and after each run.
type xlWrapper struct {
	path, log string
}

func xlTimer(t *testing.T, dir string) xlWrapper {
	real, err := exec.LookPath("xl")
	if err != nil {
		t.Fatal(err)
	}
	w := xlWrapper{path: filepath.Join(dir, "xl"), log: filepath.Join(dir, "xl-times")}
	script := "#!/bin/sh\nread a _ </proc/uptime\n'" + real + "' \"$@\"\nrc=$?\nread b _ </proc/uptime\necho \"$a $b\" >>'" + w.log + "'\nexit $rc\n"
	if err := os.WriteFile(w.path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w xlWrapper) reset() { os.Remove(w.log) }

// spent is the time inside xl since reset, how many xl processes ran,
// and the uptime when the first started and the last ended.
func (w xlWrapper) spent() (secs float64, calls int, first, last float64) {
	b, _ := os.ReadFile(w.log)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a, z float64
		if _, err := fmt.Sscan(l, &a, &z); err == nil {
			if calls == 0 {
				first = a
			}
			secs += z - a
			calls++
			last = z
		}
	}
	return secs, calls, first, last
}

// uptime is /proc/uptime's first figure, the wrapper's clock.
func uptime() float64 {
	var up float64
	b, _ := os.ReadFile("/proc/uptime")
	fmt.Sscan(string(b), &up)
	return up
}

func diff(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func mean(v []float64) float64 {
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pvhXML is a PVH guest (no device model: the kernel boots in an HVM
// container without QEMU) with its vif on virtsh's network xbr.
var pvhXML = guestDomainXML("g2", "xenpvh", "xenpvh",
	"<interface type='network'><mac address='00:16:3e:00:00:03'/><source network='xbr'/></interface>")

// xbrXML is a virtsh network over dom0's existing bridge xenbr0 (forward
// mode='bridge'): what a busybox dom0 can run, as it has neither dnsmasq
// nor nftables for a NAT network.
const xbrXML = `<network>
  <name>xbr</name>
  <forward mode='bridge'/>
  <bridge name='xenbr0'/>
</network>
`

// pvhOnNetwork boots a PVH guest whose vif is on a virtsh network: start
// is refused while the network is inactive; once it runs, the guest is a
// PVH domain, its vif is on the network's bridge and answers a ping from
// dom0, and net-port-list lists its port until destroy.
func pvhOnNetwork(t *testing.T, d *dom0, root string) {
	for name, doc := range map[string]string{"g2.xml": pvhXML, "xbr.xml": xbrXML} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d.virtsh("net-define", filepath.Join(root, "xbr.xml"))
	d.virtsh("define", filepath.Join(root, "g2.xml"))
	if out, err := d.try("start", "g2"); err == nil || !strings.Contains(out, "network 'xbr' is not active") {
		t.Errorf("start on an inactive network: %v\n%s", err, out)
	}
	d.virtsh("net-start", "xbr")
	if out := d.virtsh("domxml-to-native", "xen-xl", "--domain", "g2"); !strings.Contains(out, `type = "pvh"`) ||
		!strings.Contains(out, "bridge=xenbr0,script=vif-bridge") {
		t.Errorf("domxml-to-native of the PVH guest:\n%s", out)
	}
	start := time.Now()
	d.virtsh("start", "g2")
	const log2 = "/var/log/xen/console/guest-g2.log"
	has := func(s string) bool { b, _ := os.ReadFile(log2); return strings.Contains(string(b), s) }
	if !waitFor(3*time.Minute, func() bool { return has("GUEST-NET") }) {
		b, _ := os.ReadFile(log2)
		t.Fatalf("the PVH guest did not bring its network up in 3 minutes; console:\n%s", b)
	}
	t.Logf("PVH guest up with its network %.1fs after start", time.Since(start).Seconds())
	d.wantState("g2", "running (booted)")
	if out, err := exec.CommandContext(d.ctx, "xl", "list", "-l", "g2").CombinedOutput(); err != nil || !strings.Contains(string(out), `"type": "pvh"`) {
		t.Errorf("xl list -l g2 does not show a PVH domain: %v\n%s", err, out)
	}
	if info := d.virtsh("dominfo", "g2"); !strings.Contains(info, "OS Type:        xenpvh") {
		t.Errorf("dominfo g2:\n%s", info)
	}
	d.wantOSTypeUndefined("g2", "xenpvh")
	vif := "vif" + strings.TrimSpace(d.virtsh("domid", "g2")) + ".0"
	if _, err := os.Stat("/sys/class/net/xenbr0/brif/" + vif); err != nil {
		t.Errorf("%s is not on xenbr0: %v", vif, err)
	} else {
		t.Logf("%s is on xenbr0, the bridge of network xbr", vif)
	}
	if out := d.virtsh("-o", "json", "net-port-list", "xbr"); !strings.Contains(out, `"device": "`+vif+`"`) || !strings.Contains(out, "00:16:3e:00:00:03") {
		t.Errorf("net-port-list xbr lacks the guest's port:\n%s", out)
	}
	if out, err := exec.CommandContext(d.ctx, "ping", "-c", "3", "-W", "10", "10.99.0.2").CombinedOutput(); err != nil {
		t.Errorf("the PVH guest does not answer on the network: %v\n%s", err, out)
	} else {
		t.Logf("dom0 pings the PVH guest through xbr: %s", lastLine(string(out)))
	}
	d.virtsh("destroy", "g2")
	if out := d.virtsh("-o", "json", "net-port-list", "xbr"); strings.Contains(out, "00:16:3e:00:00:03") {
		t.Errorf("the port outlived the guest:\n%s", out)
	}
	d.virtsh("undefine", "g2")
	d.virtsh("net-destroy", "xbr")
	d.virtsh("net-undefine", "xbr")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
