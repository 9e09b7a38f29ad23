package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/tests/guest"
)

// TestQEMUOnNetwork boots one QEMU guest with <interface type='network'>
// on a NAT network, everything in a network namespace of the test's
// (virtsh -c qemu:///system runs there). The network's live definition
// is given macTableManager='libvirt' after it starts (this kernel lacks
// bridge VLAN filtering; see TestLXCMACTableLibvirt). It checks: the tap
// is on the network's bridge with the FE: MAC, learning and unicast
// flooding off, and is listed by net-port-list (through qemu:///system,
// which shares network:///system's networks); the guest's static FDB
// entry is there while it runs, gone while suspended, back on resume, and
// the same when QEMU stops and starts the CPUs itself (HMP stop, cont); the
// guest gets a DHCP lease (delivered through that FDB entry, flooding
// being off) that domifaddr shows by default; destroy, after a normal
// start and after a killed supervisor, leaves no tap, port or FDB entry.
func TestQEMUOnNetwork(t *testing.T) {
	needNetworking(t, "bridge")
	kernel, initrd := guest.MustBuild(t)
	e := newNetEnv(t)
	q, name := qemuDomain(t, e.root, "net", "ip", "netns", "exec", e.ns)

	path := filepath.Join(t.TempDir(), "vt.xml")
	os.WriteFile(path, []byte(natNetwork), 0o600)
	q.ok("Network vt defined from "+path+"\n\n", "net-define", path)
	q.ok("Network vt started\n\n", "net-start", "vt")
	t.Cleanup(func() { e.virtsh("net-destroy", "vt") })
	if out := e.must("net-list"); !strings.Contains(out, "vt     active") {
		t.Errorf("network:///system does not see qemu:///system's network:\n%s", out)
	}
	if r := q.run("iface-list", "--all"); r.code != 0 || !strings.Contains(r.stdout, "vtbr0") {
		t.Errorf("qemu:///system iface-list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	live := filepath.Join(e.root, "system/run/virtsh/network/live/vt.xml")
	doc, err := os.ReadFile(live)
	if err != nil || !strings.Contains(string(doc), "<bridge ") {
		t.Fatalf("live definition: %v\n%s", err, doc)
	}
	os.WriteFile(live, []byte(strings.Replace(string(doc), "<bridge ", `<bridge macTableManager="libvirt" `, 1)), 0o600)

	const mac = "52:54:00:ee:00:01"
	xml := filepath.Join(t.TempDir(), "dom.xml")
	os.WriteFile(xml, []byte(guest.DomainXML(name, kernel, initrd, "", `
    <interface type='network'><source network='vt'/><mac address='`+mac+`'/><model type='e1000'/></interface>`)), 0o644)
	q.ok("Domain '"+name+"' defined from "+xml+"\n\n", "define", xml)
	q.ok("Domain '"+name+"' started\n\n", "start", name)

	const dev = "vnet0"
	if out := e.in("ip", "-o", "link", "show", "master", "vtbr0"); !regexp.MustCompile(`: ` + dev + `: .* master vtbr0 .*link/ether fe:54:00:ee:00:01 `).MatchString(out) {
		t.Fatalf("the bridge's ports:\n%s", out)
	}
	if out := e.in("bridge", "-d", "link", "show", "dev", dev); !strings.Contains(out, "learning off") || !strings.Contains(out, "flood off") {
		t.Errorf("port flags of %s:\n%s", dev, out)
	}
	if ports := e.ports("vt"); len(ports) != 1 || ports[0] != (portRow{Owner: name, MAC: mac, Device: dev, Bridge: "vtbr0"}) {
		t.Errorf("net-port-list vt: %+v", ports)
	}
	expect(t, q.run("domiflist", name), `(?m)^ `+dev+` +network +vt +e1000 +`+mac+`$`)
	fdb := func() bool {
		return strings.Contains(e.in("bridge", "fdb", "show", "dev", dev), mac+" master vtbr0 static")
	}
	if !fdb() {
		t.Errorf("no static FDB entry of %s while the guest runs:\n%s", mac, e.in("bridge", "fdb", "show", "dev", dev))
	}

	// The guest's udhcpc asks for a lease as soon as it boots.
	var r result
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if r = q.run("domifaddr", name); strings.Contains(r.stdout, "10.99.0.") {
			break
		}
	}
	expect(t, r, `(?m)^ `+dev+` +`+mac+` +ipv4 +10\.99\.0\.(1\d|20)/24$`)

	q.ok("Domain '"+name+"' suspended\n\n", "suspend", name)
	if fdb() {
		t.Errorf("FDB entry of %s still there while the guest is suspended", mac)
	}
	q.ok("Domain '"+name+"' resumed\n\n", "resume", name)
	if !fdb() {
		t.Errorf("no FDB entry of %s after resume", mac)
	}

	// CPUs QEMU stops and starts itself (HMP stop and cont) are a pause
	// too: the supervisor follows QEMU's STOP and RESUME events, which
	// arrive after the command returns.
	awaitFDB := func(present bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); fdb() != present && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if fdb() != present {
			t.Errorf("FDB entry of %s present: %v, want %v:\n%s", mac, !present, present, e.in("bridge", "fdb", "show", "dev", dev))
		}
	}
	q.ok("\n\n", "qemu-monitor-command", name, "--hmp", "stop")
	q.waitState(name, "paused (unknown)")
	awaitFDB(false)
	q.ok("\n\n", "qemu-monitor-command", name, "--hmp", "cont")
	q.waitState(name, "running (unpaused)")
	awaitFDB(true)

	q.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	e.tapGone(dev, mac)

	// A supervisor killed: destroy unplugs from the network driver's records.
	q.ok("Domain '"+name+"' started\n\n", "start", name)
	if ports := e.ports("vt"); len(ports) != 1 {
		t.Errorf("net-port-list vt after a restart: %+v", ports)
	}
	if err := syscall.Kill(pidOf(t, name, true), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	q.ok("Domain '"+name+"' destroyed\n\n", "destroy", name)
	e.tapGone(dev, mac)
	q.ok("Domain '"+name+"' has been undefined\n\n", "undefine", name)
	if procs := processesOf(name); len(procs) > 0 {
		t.Errorf("processes left behind: %q", procs)
	}
}

// tapGone checks that tap dev, its port on network vt and the FDB entry
// of mac are gone.
func (e *netEnv) tapGone(dev, mac string) {
	e.t.Helper()
	if out := e.in("ip", "link", "show", dev); !strings.Contains(out, "does not exist") {
		e.t.Errorf("%s left behind:\n%s", dev, out)
	}
	if ports := e.ports("vt"); len(ports) != 0 {
		e.t.Errorf("ports left behind: %+v", ports)
	}
	if out := e.in("bridge", "fdb", "show", "br", "vtbr0"); strings.Contains(out, mac) {
		e.t.Errorf("FDB entry of %s left behind:\n%s", mac, out)
	}
}
