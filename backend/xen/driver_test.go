package xen

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// fakeXL replays recorded toolstack output (testdata/, from Xen 4.17 in
// the nested test host) and records the commands the driver ran.
type fakeXL struct {
	t      *testing.T
	guests []string            // extra `xl list -v` lines: the running guests
	fail   map[string]string   // command prefix -> xl's error text
	out    map[string]string   // command -> output
	then   map[string][]string // command -> the running guests after it
	calls  []string
}

func (f *fakeXL) Run(_ context.Context, prog string, args ...string) ([]byte, error) {
	call := strings.TrimSpace(prog + " " + strings.Join(args, " "))
	f.calls = append(f.calls, call)
	for prefix, msg := range f.fail {
		if strings.HasPrefix(call, prefix) {
			return nil, &ToolError{Prog: prog, Args: args, Stderr: msg, Err: errors.New("exit status 1")}
		}
	}
	if g, ok := f.then[call]; ok {
		f.guests = g
	}
	if call == "xl list -v" {
		return []byte(recorded(f.t, "xl-list-v.txt") + strings.Join(f.guests, "\n") + "\n"), nil
	}
	return []byte(f.out[call]), nil
}

// guestLine is an `xl list -v` line for g1 in xl's layout.
func guestLine(id, flags string) string {
	return "g1                                           " + id + "   128     1     " + flags + "       5.3 8284b3ee-ea55-11f1-9aba-5e11b7ef43a6        -                -"
}

func recorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *fakeXL) ran(prefix string) bool {
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// fakeReader is the DomainReader of the unit tests: the domains of the
// fake xl, read without running a command, as xenstore and the hypervisor
// answer in dom0. With down set it fails as on a host without xenstored.
type fakeReader struct {
	f    *fakeXL
	down bool
}

func (r *fakeReader) Domains(context.Context) ([]xlDomain, error) {
	if r.down {
		return nil, errors.New("cannot connect to xenstored: no such file or directory")
	}
	return parseXLList([]byte(recorded(r.f.t, "xl-list-v.txt") + strings.Join(r.f.guests, "\n") + "\n"))
}

func newTestConn(t *testing.T) (*Conn, *fakeXL) {
	t.Helper()
	t.Setenv("VIRTSH_ROOT", t.TempDir())
	f := &fakeXL{t: t, fail: map[string]string{}, out: map[string]string{}, then: map[string][]string{}}
	c, err := Open("xen:///system", f)
	if err != nil {
		t.Fatal(err)
	}
	c.reader = &fakeReader{f: f}
	return c, f
}

const g1XML = `<domain type='xen'>
  <name>g1</name>
  <uuid>8284b3ee-ea55-11f1-9aba-5e11b7ef43a6</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type>linux</type><kernel>/guest/vmlinuz</kernel><initrd>/guest/domU.cpio.gz</initrd><cmdline>console=hvc0</cmdline></os>
  <devices>
    <interface type='bridge'><source bridge='xenbr0'/></interface>
  </devices>
</domain>`

func TestParseXLList(t *testing.T) {
	doms, err := parseXLList([]byte(recorded(t, "xl-list-v.txt") + guestLine("1", "--p---") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doms) != 2 || doms[0].Name != "Domain-0" || doms[0].ID != 0 || doms[0].MemMiB != 512 || doms[0].State() != backend.DomainRunning {
		t.Fatalf("dom0: %+v", doms)
	}
	g := doms[1]
	if g.Name != "g1" || g.ID != 1 || g.VCPUs != 1 || g.CPUTime.Seconds() != 5.3 || g.UUID != "8284b3ee-ea55-11f1-9aba-5e11b7ef43a6" || g.State() != backend.DomainPaused {
		t.Errorf("guest: %+v %v", g, g.State())
	}
}

func TestLifecycle(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	doms := c.Domains()
	info, err := doms.Define(ctx, g1XML, backend.DefineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.State != backend.DomainShutoff || !info.Persistent || info.ID != -1 || info.MaxMemKiB != 131072 {
		t.Errorf("defined: %+v", info)
	}
	if err := doms.Start(ctx, "g1", backend.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	if !f.ran("xl create -q " + c.cfgPath("g1")) {
		t.Errorf("start ran %v", f.calls)
	}
	cfg, _ := os.ReadFile(c.cfgPath("g1"))
	for _, want := range []string{`name = "g1"`, `kernel = "/guest/vmlinuz"`, `memory = 128`, `vif = [ "mac=00:16:3e:`, `,bridge=xenbr0,script=vif-bridge" ]`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("xl configuration lacks %q:\n%s", want, cfg)
		}
	}
	f.guests = []string{guestLine("1", "-b----")}
	info, err = doms.LookupByName(ctx, "g1")
	if err != nil || info.State != backend.DomainRunning || info.Reason != backend.RunningBooted || info.ID != 1 {
		t.Errorf("running: %+v %v", info, err)
	}
	if err := doms.Start(ctx, "g1", backend.StartOptions{}); err == nil || !errors.Is(err, backend.ErrInvalidState) {
		t.Errorf("second start: %v", err)
	}
	if err := doms.Suspend(ctx, "g1"); err != nil || !f.ran("xl pause 1") {
		t.Fatalf("suspend: %v %v", err, f.calls)
	}
	f.guests = []string{guestLine("1", "-bp---")}
	if info, _ = doms.LookupByName(ctx, "g1"); info.State != backend.DomainPaused || info.Reason != backend.PausedUser {
		t.Errorf("suspended: %v %s", info.State, backend.ReasonString(info.State, info.Reason))
	}
	if err := doms.Resume(ctx, "g1"); err != nil || !f.ran("xl unpause 1") {
		t.Fatalf("resume: %v", err)
	}
	f.guests = []string{guestLine("1", "-b----")}
	if info, _ = doms.LookupByName(ctx, "g1"); backend.ReasonString(info.State, info.Reason) != "unpaused" {
		t.Errorf("resumed: %v %s", info.State, backend.ReasonString(info.State, info.Reason))
	}
	x, err := doms.XML(ctx, "g1", backend.XMLOptions{})
	if err != nil || !strings.Contains(x, `<domain type="xen" id="1">`) {
		t.Errorf("live XML: %v\n%s", err, x)
	}
	if err := doms.SetMemory(ctx, "g1", 100*1024, backend.Scope{}); err != nil || !f.ran("xl mem-set 1 102400k") {
		t.Errorf("setmem: %v %v", err, f.calls)
	}
	if err := doms.SetMemory(ctx, "g1", 1<<30, backend.Scope{}); err == nil {
		t.Errorf("setmem above the maximum succeeded")
	}
	if err := doms.SetVCPUs(ctx, "g1", 1, backend.VCPUOptions{}); err != nil || !f.ran("xl vcpu-set 1 1") {
		t.Errorf("setvcpus: %v", err)
	}
	if err := doms.Destroy(ctx, "g1", backend.DestroyOptions{}); err != nil || !f.ran("xl destroy 1") {
		t.Fatalf("destroy: %v", err)
	}
	f.guests = nil
	if info, _ = doms.LookupByName(ctx, "g1"); info.State != backend.DomainShutoff || info.Reason != backend.ShutoffDestroyed {
		t.Errorf("destroyed: %v %s", info.State, backend.ReasonString(info.State, info.Reason))
	}
	if _, err := os.Stat(c.cfgPath("g1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the xl configuration outlived the domain")
	}
	// A guest that powers itself off: virtsh saw it running, xl no longer lists it.
	doms.Start(ctx, "g1", backend.StartOptions{})
	if info, _ = doms.LookupByName(ctx, "g1"); info.State != backend.DomainShutoff || info.Reason != backend.ShutoffShutdown {
		t.Errorf("after the guest left: %v %s", info.State, backend.ReasonString(info.State, info.Reason))
	}
	if err := doms.Undefine(ctx, "g1", backend.UndefineOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := doms.LookupByName(ctx, "g1"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("after undefine: %v", err)
	}
}

func TestStartFailureKeepsXLMessage(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	if _, err := c.Domains().Define(ctx, g1XML, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	f.fail["xl create"] = "libxl: error: libxl_create.c:1672:domcreate_launch_dm: Domain 1:unable to add disk devices\n"
	err := c.Domains().Start(ctx, "g1", backend.StartOptions{})
	if err == nil || !strings.Contains(err.Error(), "unable to add disk devices") {
		t.Fatalf("start error: %v", err)
	}
	if _, err := os.Stat(c.cfgPath("g1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed start left its configuration behind")
	}
	if _, ok := c.readRecord("g1"); ok {
		t.Errorf("a failed start left a state record")
	}
}

func TestDefineRefuses(t *testing.T) {
	c, _ := newTestConn(t)
	ctx := context.Background()
	for _, tc := range []struct{ xml, want string }{
		{strings.Replace(g1XML, "type='xen'", "type='kvm'", 1), "cannot run on Xen"},
		{strings.Replace(g1XML, "<vcpu>", "<vcpux>1</vcpux><vcpu>", 1), "domain/vcpux"},
		{strings.Replace(g1XML, "<name>g1</name>", "<name>Domain-0</name>", 1), "reserved"},
		{strings.Replace(g1XML, "<source bridge='xenbr0'/>", "", 1), "needs <source bridge="},
		{strings.Replace(g1XML, "<interface type='bridge'><source bridge='xenbr0'/>", "<interface type='user'>", 1), "Unsupported net type 'user'"},
	} {
		if _, err := c.Domains().Define(ctx, tc.xml, backend.DefineOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("define: %v, want %q", err, tc.want)
		}
	}
}

func TestDom0Refusals(t *testing.T) {
	c, _ := newTestConn(t)
	ctx := context.Background()
	info, err := c.Domains().LookupByID(ctx, 0)
	if err != nil || info.Name != dom0Name || info.State != backend.DomainRunning {
		t.Fatalf("dom0: %+v %v", info, err)
	}
	if err := c.Domains().Destroy(ctx, dom0Name, backend.DestroyOptions{}); err == nil || !strings.Contains(err.Error(), "Cannot destroy Domain-0") {
		t.Errorf("destroy Domain-0: %v", err)
	}
}

// TestLifecycleLookups checks what a lifecycle command line costs and
// answers: the command's check that the domain exists reads the
// definition alone for a defined domain, the hypervisor's list for a
// transient one; the operation's own lookup gives libvirt's errors for a
// domain that is unknown or not running, and runs nothing then.
func TestLifecycleLookups(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	doms := c.Domains()
	ex := doms.(backend.DomainExistence)
	if _, err := doms.Define(ctx, g1XML, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	reader := c.reader.(*fakeReader)
	reader.down = true
	f.fail["xl list"] = "xl is not reachable"
	if err := ex.DomainExists(ctx, "g1"); err != nil || len(f.calls) != 0 {
		t.Errorf("a defined domain: %v, after %v", err, f.calls)
	}
	reader.down = false
	delete(f.fail, "xl list")
	for name, want := range map[string]error{"nosuch": backend.ErrNotFound, "bad/name": backend.ErrInvalidArgument, "Domain-0": nil} {
		if err := ex.DomainExists(ctx, name); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Errorf("DomainExists(%s): %v, want %v", name, err, want)
		}
	}
	for _, op := range []struct {
		name string
		call func(string) error
	}{
		{"destroy", func(n string) error { return doms.Destroy(ctx, n, backend.DestroyOptions{}) }},
		{"shutdown", func(n string) error { return doms.Shutdown(ctx, n, backend.ShutdownOptions{}) }},
		{"suspend", func(n string) error { return doms.Suspend(ctx, n) }},
		{"save", func(n string) error { return doms.(backend.DomainSaveRestore).Save(ctx, n, "/nonexistent") }},
	} {
		if err := op.call("g1"); !errors.Is(err, backend.ErrInvalidState) || !strings.Contains(err.Error(), "domain is not running") {
			t.Errorf("%s of an inactive domain: %v", op.name, err)
		}
		if err := op.call("nosuch"); !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "no domain with matching name 'nosuch'") {
			t.Errorf("%s of an unknown domain: %v", op.name, err)
		}
	}
	if f.ran("xl destroy") || f.ran("xl shutdown") || f.ran("xl pause") || f.ran("xl save") {
		t.Errorf("xl ran for a domain that does not run: %v", f.calls)
	}
	// A transient guest (started by plain xl) is found in the
	// hypervisor's list, and forgotten when destroyed.
	f.guests = []string{strings.Replace(guestLine("7", "-b----"), "g1 ", "t1 ", 1)}
	if err := ex.DomainExists(ctx, "t1"); err != nil {
		t.Errorf("a transient domain: %v", err)
	}
	f.then["xl destroy 7"] = nil
	if err := doms.Destroy(ctx, "t1", backend.DestroyOptions{}); err != nil || !f.ran("xl destroy 7") {
		t.Errorf("destroy of a transient domain: %v %v", err, f.calls)
	}
	if _, ok := c.readRecord("t1"); ok {
		t.Errorf("a destroyed transient domain left a record")
	}
}

func TestHostFromXLInfo(t *testing.T) {
	c, f := newTestConn(t)
	f.out["xl info"] = recorded(t, "xl-info.txt")
	ctx := context.Background()
	n, err := c.Host().NodeInfo(ctx)
	want := backend.NodeInfo{Model: "x86_64", CPUs: 1, MHz: 2445, Nodes: 1, Sockets: 1, Cores: 1, Threads: 1, MemoryKiB: 1023 * 1024}
	if err != nil || n != want {
		t.Errorf("nodeinfo %+v %v, want %+v", n, err, want)
	}
	caps, err := c.Host().Capabilities(ctx)
	for _, w := range []string{"<os_type>xen</os_type>", "<machine>xenpv</machine>", "<os_type>hvm</os_type>", "<loader>/usr/lib/xen/boot/hvmloader</loader>", "<os_type>xenpvh</os_type>"} {
		if err != nil || !strings.Contains(caps, w) {
			t.Errorf("capabilities lack %s: %v\n%s", w, err, caps)
		}
	}
	if v, err := c.Host().Version(ctx); err != nil || v.HypervisorVer != 4017007 || v.Hypervisor != "Xen" {
		t.Errorf("version %+v %v", v, err)
	}
}

func TestDescribeDomainStartedByXL(t *testing.T) {
	c, f := newTestConn(t)
	f.guests = []string{strings.Replace(guestLine("1", "-b----"), "g1 ", "guest1 ", 1)}
	f.out["xl list -l 1"] = recorded(t, "xl-list-l-guest1.json")
	x, err := c.Domains().XML(context.Background(), "guest1", backend.XMLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<domain type="xen" id="1">`, "<kernel>/guest/vmlinuz</kernel>", `<mac address="00:16:3e:00:00:02">`, `<source bridge="xenbr0">`, `<currentMemory unit="KiB">131072</currentMemory>`} {
		if !strings.Contains(x, w) {
			t.Errorf("XML lacks %s:\n%s", w, x)
		}
	}
	info, _ := c.Domains().LookupByName(context.Background(), "guest1")
	if info.Persistent || info.Reason != backend.ReasonUnknown {
		t.Errorf("a guest of plain xl: %+v", info)
	}
}

func TestAttachDetach(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	doms := c.Domains().(backend.DomainDevices)
	if _, err := c.Domains().Define(ctx, g1XML, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Domains().Start(ctx, "g1", backend.StartOptions{})
	f.guests = []string{guestLine("1", "-b----")}
	disk := `<disk type='file' device='disk'><source file='/tmp/d.img'/><target dev='xvdb'/></disk>`
	if err := doms.AttachDevice(ctx, "g1", disk, backend.Scope{}); err != nil || !f.ran("xl block-attach 1 format=raw,vdev=xvdb,access=rw,target=/tmp/d.img") {
		t.Fatalf("attach disk: %v %v", err, f.calls)
	}
	if err := doms.AttachDevice(ctx, "g1", disk, backend.Scope{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second attach: %v", err)
	}
	live, _ := c.Domains().XML(ctx, "g1", backend.XMLOptions{})
	def, _ := c.Domains().XML(ctx, "g1", backend.XMLOptions{Inactive: true})
	if !strings.Contains(live, "xvdb") || strings.Contains(def, "xvdb") {
		t.Errorf("a live attach belongs to the live XML only:\nlive %s\ndef %s", live, def)
	}
	if err := doms.DetachDevice(ctx, "g1", disk, backend.Scope{}); err != nil || !f.ran("xl block-detach 1 xvdb") {
		t.Errorf("detach disk: %v", err)
	}
	nic := `<interface type='bridge'><mac address='00:16:3e:00:00:09'/><source bridge='xenbr0'/></interface>`
	if err := doms.AttachDevice(ctx, "g1", nic, backend.Scope{Live: true, Config: true}); err != nil || !f.ran("xl network-attach 1 mac=00:16:3e:00:00:09 bridge=xenbr0 script=vif-bridge") {
		t.Fatalf("attach interface: %v %v", err, f.calls)
	}
	if def, _ = c.Domains().XML(ctx, "g1", backend.XMLOptions{Inactive: true}); !strings.Contains(def, "00:16:3e:00:00:09") {
		t.Errorf("--config attach missing from the definition:\n%s", def)
	}
	f.fail["xl network-detach"] = "libxl: error: unable to detach"
	if err := doms.DetachDevice(ctx, "g1", nic, backend.Scope{Live: true, Config: true}); err == nil || !strings.Contains(err.Error(), "unable to detach") {
		t.Errorf("failing detach: %v", err)
	}
	if def, _ = c.Domains().XML(ctx, "g1", backend.XMLOptions{Inactive: true}); !strings.Contains(def, "00:16:3e:00:00:09") {
		t.Errorf("a failed detach changed the definition")
	}
	if err := doms.AttachDevice(ctx, "g1", `<hostdev mode='subsystem'/>`, backend.Scope{}); err == nil || !strings.Contains(err.Error(), "only <disk> and <interface> are") {
		t.Errorf("attach hostdev: %v", err)
	}
}

// saveFile writes the head of an xl save file as xl_saverestore.c does.
func saveFile(t *testing.T, config string) string {
	p := filepath.Join(t.TempDir(), "g1.save")
	b := append([]byte(nil), saveMagic...)
	for _, w := range []uint32{saveByteOrder, saveFlagJSON | 2, 0, uint32(4 + len(config) + 1)} {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(config)+1))
	b = append(append(b, config...), 0)
	if err := os.WriteFile(p, append(b, "domain memory..."...), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSaveRestore(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	sr := c.Domains().(backend.DomainSaveRestore)
	c.Domains().Define(ctx, g1XML, backend.DefineOptions{})
	c.Domains().Start(ctx, "g1", backend.StartOptions{})
	f.guests = []string{guestLine("1", "-b----")}
	if err := sr.Save(ctx, "g1", "/tmp/g1.save"); err != nil || !f.ran("xl save 1 /tmp/g1.save") {
		t.Fatalf("save: %v", err)
	}
	f.guests = nil
	if info, _ := c.Domains().LookupByName(ctx, "g1"); info.Reason != backend.ShutoffSaved {
		t.Errorf("saved: %s", backend.ReasonString(info.State, info.Reason))
	}
	file := saveFile(t, `{"c_info": {"type": "pv", "name": "g1"}, "b_info": {}}`)
	f.then["xl restore "+file] = []string{guestLine("2", "-b----")}
	info, err := sr.Restore(ctx, file)
	if err != nil || info.Name != "g1" || info.Reason != backend.RunningRestored {
		t.Errorf("restore: %+v %v", info, err)
	}
	if _, err := sr.Restore(ctx, file); err == nil || !strings.Contains(err.Error(), "already active") {
		t.Errorf("restore of a running domain: %v", err)
	}
	if _, err := savedName("testdata/xl-info.txt"); err == nil || !strings.Contains(err.Error(), "not a domain saved by xl") {
		t.Errorf("not a save file: %v", err)
	}
}

func TestStatsFromSysfs(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	sysRoot = t.TempDir()
	t.Cleanup(func() { sysRoot = "/sys" })
	write := func(p, v string) {
		p = filepath.Join(sysRoot, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(v+"\n"), 0o644)
	}
	write("class/net/vif1.0/statistics/rx_bytes", "1000") // sent by the guest
	write("class/net/vif1.0/statistics/tx_bytes", "2000")
	write("bus/xen-backend/devices/vbd-1-51712/statistics/rd_sect", "8")
	write("bus/xen-backend/devices/vbd-1-51712/statistics/rd_req", "1")
	diskXML := strings.Replace(g1XML, "<devices>", "<devices><disk type='file'><source file='/tmp/a.img'/><target dev='xvda'/></disk>", 1)
	c.Domains().Define(ctx, diskXML, backend.DefineOptions{})
	c.Domains().Start(ctx, "g1", backend.StartOptions{})
	f.guests = []string{guestLine("1", "-b----")}
	stats, err := c.Domains().Stats(ctx, []string{"g1"}, backend.StatsGroups{})
	if err != nil || len(stats) != 1 {
		t.Fatal(stats, err)
	}
	got := map[string]any{}
	for _, p := range stats[0].Params {
		got[p.Field] = p.Value
	}
	for field, want := range map[string]any{"state.state": int64(1), "net.0.name": "vif1.0", "net.0.tx.bytes": uint64(1000),
		"net.0.rx.bytes": uint64(2000), "block.0.name": "xvda", "block.0.rd.bytes": uint64(4096), "block.0.rd.reqs": uint64(1),
		"balloon.current": uint64(131072), "cpu.time": uint64(5300000000)} {
		if got[field] != want {
			t.Errorf("%s = %v (%T), want %v", field, got[field], got[field], want)
		}
	}
}

func TestHostChecks(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if err := hostCheck(); err == nil || !strings.Contains(err.Error(), "'xl' is not in PATH") {
		t.Errorf("without xl: %v", err)
	}
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "xl"), []byte("#!/bin/sh\n"), 0o755)
	t.Setenv("PATH", bin)
	caps := filepath.Join(t.TempDir(), "capabilities")
	old := procXenCaps
	procXenCaps = caps
	t.Cleanup(func() { procXenCaps = old })
	if err := hostCheck(); err == nil || !strings.Contains(err.Error(), "not a Xen dom0") {
		t.Errorf("without /proc/xen: %v", err)
	}
	os.WriteFile(caps, []byte(""), 0o644)
	if err := hostCheck(); err == nil || !strings.Contains(err.Error(), "control_d") {
		t.Errorf("in a domU: %v", err)
	}
	os.WriteFile(caps, []byte("control_d\n"), 0o644)
	if err := hostCheck(); err != nil {
		t.Errorf("in dom0: %v", err)
	}
}

func TestNativeConfig(t *testing.T) {
	c, _ := newTestConn(t)
	ctx := context.Background()
	cfg, err := c.DomainXMLToNative(ctx, "xen-xl", g1XML)
	if err != nil || !strings.Contains(cfg, `kernel = "/guest/vmlinuz"`) {
		t.Errorf("to native: %v\n%s", err, cfg)
	}
	if _, err := c.DomainXMLToNative(ctx, "qemu-argv", g1XML); err == nil || !strings.Contains(err.Error(), "unsupported config type qemu-argv") {
		t.Errorf("other format: %v", err)
	}
	x, err := c.DomainXMLFromNative(ctx, "xen-xl", cfg)
	if err != nil || !strings.Contains(x, "<name>g1</name>") {
		t.Errorf("from native: %v\n%s", err, x)
	}
	if _, err := c.DomainXMLFromNative(ctx, "xen-xl", "memory = [\n"); err == nil || !strings.Contains(err.Error(), "unterminated list") {
		t.Errorf("bad config: %v", err)
	}
}
