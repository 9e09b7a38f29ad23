package tests

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// Networking tests run virtsh -c network:///system inside network
// namespaces they create and delete, so they never touch the host's
// links, routes or firewall. They need root, ip (iproute2), nft (only to
// read the firewall back), dnsmasq and busybox (udhcpc).

// netEnv is one test's namespace and state directory.
type netEnv struct {
	t    *testing.T
	ns   string
	root string // VIRTSH_ROOT
}

func needNetworking(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("networking tests need root")
	}
	for _, tool := range append([]string{"ip", "nft", "dnsmasq"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			if _, err := os.Stat("/usr/sbin/" + tool); err != nil {
				t.Fatalf("%s is not installed (see .ci/run)", tool)
			}
		}
	}
}

// newNamespace creates a network namespace that t's cleanup deletes.
func newNamespace(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := fmt.Sprintf("virtsh-t-%x", b)
	sh(t, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	return name
}

func newNetEnv(t *testing.T) *netEnv {
	needNetworking(t)
	e := &netEnv{t: t, ns: newNamespace(t), root: t.TempDir()}
	// net-destroy is the first cleanup to run: it stops dnsmasq, which
	// would otherwise outlive the namespace's deletion.
	t.Cleanup(func() {
		e.in("/bin/sh", "-c", "for f in "+e.dnsmasqDir()+"/*.pid; do [ -f \"$f\" ] && kill -9 $(cat \"$f\"); done; true")
	})
	return e
}

// sh runs a command, failing the test when it fails.
func sh(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// in runs a command in the namespace and returns its output (and no
// error check).
func (e *netEnv) in(args ...string) string {
	out, _ := exec.Command("ip", append([]string{"netns", "exec", e.ns}, args...)...).CombinedOutput()
	return string(out)
}

// virtsh runs virtsh -c network:///system ARGS in the namespace.
func (e *netEnv) virtsh(args ...string) result {
	e.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", e.ns, virtshBin, "-c", "network:///system"}, args...)...)
	cmd.Env = append(cleanEnv(), "VIRTSH_ROOT="+e.root)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

func (e *netEnv) must(args ...string) string {
	e.t.Helper()
	r := e.virtsh(args...)
	if r.code != 0 {
		e.t.Fatalf("virtsh %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func (e *netEnv) define(doc string) {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "net.xml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.must("net-define", path)
}

func (e *netEnv) dnsmasqDir() string {
	return filepath.Join(e.root, "system/var/lib/virtsh/network/dnsmasq")
}

// dnsmasqRunning reports whether a dnsmasq of this test's state runs.
func (e *netEnv) dnsmasqRunning() bool {
	out, _ := exec.Command("ps", "-eo", "args").Output()
	return strings.Contains(string(out), "--conf-file="+e.dnsmasqDir())
}

// assertClean checks that nothing of network bridge is left in the
// namespace: no bridge, no firewall table, no dnsmasq, no runtime state.
func (e *netEnv) assertClean(bridge string) {
	e.t.Helper()
	if out := e.in("ip", "link", "show", bridge); !strings.Contains(out, "does not exist") {
		e.t.Errorf("bridge %s left behind:\n%s", bridge, out)
	}
	if out := e.in("nft", "list", "ruleset"); strings.TrimSpace(out) != "" {
		e.t.Errorf("firewall rules left behind:\n%s", out)
	}
	if e.dnsmasqRunning() {
		e.t.Error("dnsmasq left running")
	}
	live, _ := filepath.Glob(filepath.Join(e.root, "system/run/virtsh/network/live/*.*"))
	if len(live) > 0 {
		e.t.Errorf("runtime state left behind: %v", live)
	}
	for _, ext := range []string{".conf", ".pid", ".leasehelper", ".hostsfile"} {
		if files, _ := filepath.Glob(filepath.Join(e.dnsmasqDir(), "*"+ext)); len(files) > 0 && ext == ".pid" {
			e.t.Errorf("dnsmasq pid file left behind: %v", files)
		}
	}
}

const natNetwork = `<network>
  <name>vt</name>
  <forward mode='nat'/>
  <bridge name='vtbr0' stp='off'/>
  <ip address='10.99.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.99.0.10' end='10.99.0.20'/>
    </dhcp>
  </ip>
</network>
`

// TestNetworkNATLease: a NAT network starts in a namespace (bridge,
// address, nftables rules, ip_forward, dnsmasq); a busybox udhcpc in a
// second namespace, joined by a veth, gets a lease that net-dhcp-leases
// shows; net-destroy removes bridge, rules, dnsmasq and runtime state.
func TestNetworkNATLease(t *testing.T) {
	needNetworking(t, "busybox")
	e := newNetEnv(t)
	client := newNamespace(t)
	e.define(natNetwork)
	e.must("net-start", "vt")
	if out := e.in("ip", "-br", "addr", "show", "vtbr0"); !strings.Contains(out, "10.99.0.1/24") {
		t.Errorf("bridge address: %s", out)
	}
	if out := e.in("nft", "list", "table", "ip", "virtsh_network"); !strings.Contains(out, `ip saddr 10.99.0.0/24 ip daddr != 10.99.0.0/24 masquerade`) {
		t.Errorf("NAT rules missing:\n%s", out)
	}
	if out := e.in("cat", "/proc/sys/net/ipv4/ip_forward"); strings.TrimSpace(out) != "1" {
		t.Errorf("ip_forward in the namespace = %q, want 1", out)
	}
	if !e.dnsmasqRunning() {
		t.Fatal("dnsmasq is not running")
	}
	if out := e.must("net-info", "vt"); !strings.Contains(out, "Active:         yes") || !strings.Contains(out, "Bridge:         vtbr0") {
		t.Errorf("net-info:\n%s", out)
	}

	sh(t, "ip", "link", "add", "vtc0", "netns", client, "type", "veth", "peer", "name", "vth0", "netns", e.ns)
	sh(t, "ip", "-n", e.ns, "link", "set", "vth0", "master", "vtbr0", "up")
	sh(t, "ip", "-n", client, "link", "set", "vtc0", "up")
	mac := strings.Fields(sh(t, "ip", "-n", client, "-br", "link", "show", "vtc0"))[2]
	out, err := exec.Command("ip", "netns", "exec", client, "busybox", "udhcpc",
		"-i", "vtc0", "-n", "-q", "-t", "10", "-T", "1", "-s", "/bin/true", "-x", "hostname:vtclient").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "obtained") {
		t.Fatalf("udhcpc: %v\n%s", err, out)
	}
	var leases string
	for range 50 { // dnsmasq runs the lease helper after it acks
		leases = e.must("net-dhcp-leases", "vt")
		if strings.Contains(leases, mac) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(leases, mac) || !strings.Contains(leases, "ipv4       10.99.0.") || !strings.Contains(leases, "vtclient") {
		t.Errorf("net-dhcp-leases lacks the client's lease (%s):\n%s", mac, leases)
	}
	if data := e.must("net-dhcp-leases", "vt", "--mac", mac, "-o", "json"); !strings.Contains(data, `"mac": "`+mac+`"`) {
		t.Errorf("net-dhcp-leases --mac -o json:\n%s", data)
	}

	e.must("net-destroy", "vt")
	e.assertClean("vtbr0")
	if out := e.must("net-list", "--all"); !strings.Contains(out, "vt     inactive") {
		t.Errorf("net-list after destroy:\n%s", out)
	}
	e.must("net-undefine", "vt")
	if files, _ := filepath.Glob(filepath.Join(e.dnsmasqDir(), "vt.*")); len(files) > 0 {
		t.Errorf("net-undefine left dnsmasq files: %v", files)
	}
}

// holdUDPPort binds UDP port on all addresses inside namespace ns, as
// another DHCP server would, until the test ends.
func holdUDPPort(t *testing.T, ns string, port int) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread changes namespace
		orig, err := netns.Get()
		if err != nil {
			done <- err
			return
		}
		target, err := netns.GetFromName(ns)
		if err != nil {
			done <- err
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			done <- err
			return
		}
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{Port: port})
		if err == nil {
			t.Cleanup(func() { conn.Close() })
		}
		if err := netns.Set(orig); err == nil {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatalf("cannot hold UDP port %d in %s: %v", port, ns, err)
	}
}

// TestNetworkStartRollback injects failures in the middle of net-start,
// each after the bridge, its address and the firewall rules exist, and
// checks that everything is rolled back.
func TestNetworkStartRollback(t *testing.T) {
	t.Run("dnsmasq cannot bind", func(t *testing.T) {
		e := newNetEnv(t)
		e.define(natNetwork)
		holdUDPPort(t, e.ns, 67)
		r := e.virtsh("net-start", "vt")
		if r.code != 1 || !strings.Contains(r.stderr, "error: Failed to start network vt") || !strings.Contains(r.stderr, "dnsmasq") {
			t.Errorf("net-start: exit %d\n%s", r.code, r.stderr)
		}
		e.assertClean("vtbr0")
		if files, _ := filepath.Glob(filepath.Join(e.dnsmasqDir(), "vt.*")); len(files) > 0 {
			t.Errorf("files left behind: %v", files)
		}
		if out := e.must("net-list", "--all"); !strings.Contains(out, "vt     inactive") {
			t.Errorf("net-list:\n%s", out)
		}
	})
	t.Run("route via an unreachable gateway", func(t *testing.T) {
		e := newNetEnv(t)
		e.define(strings.Replace(natNetwork, "</network>",
			"  <route address='10.98.0.0' prefix='24' gateway='172.31.255.1'/>\n</network>", 1))
		r := e.virtsh("net-start", "vt")
		if r.code != 1 || !strings.Contains(r.stderr, "cannot add route to 10.98.0.0/24") {
			t.Errorf("net-start: exit %d\n%s", r.code, r.stderr)
		}
		e.assertClean("vtbr0")
	})
	t.Run("network already in use", func(t *testing.T) {
		e := newNetEnv(t)
		e.in("ip", "link", "add", "used0", "type", "veth", "peer", "name", "used1")
		e.in("ip", "addr", "add", "10.99.0.7/24", "dev", "used0")
		e.in("ip", "link", "set", "used0", "up")
		e.define(natNetwork)
		r := e.virtsh("net-start", "vt")
		if r.code != 1 || !strings.Contains(r.stderr, "Network is already in use by interface used0") {
			t.Errorf("net-start: exit %d\n%s", r.code, r.stderr)
		}
		e.assertClean("vtbr0")
	})
}

// TestNetworkMACTableLibvirt: macTableManager='libvirt' turns VLAN
// filtering on at start; on a kernel without it, net-start fails naming
// CONFIG_BRIDGE_VLAN_FILTERING and rolls everything back.
func TestNetworkMACTableLibvirt(t *testing.T) {
	e := newNetEnv(t)
	e.define(strings.Replace(natNetwork, "stp='off'", "stp='off' macTableManager='libvirt'", 1))
	r := e.virtsh("net-start", "vt")
	if kernelLacksVlanFiltering() {
		if r.code != 1 || !strings.Contains(r.stderr, "CONFIG_BRIDGE_VLAN_FILTERING") {
			t.Errorf("net-start on a kernel without VLAN filtering: exit %d\n%s", r.code, r.stderr)
		}
		e.assertClean("vtbr0")
		return
	}
	if r.code != 0 {
		t.Fatalf("net-start: %s", r.stderr)
	}
	if out := e.in("ip", "-d", "link", "show", "vtbr0"); !strings.Contains(out, "vlan_filtering 1") {
		t.Errorf("vlan_filtering not set:\n%s", out)
	}
	e.must("net-destroy", "vt")
	e.assertClean("vtbr0")
}

// kernelLacksVlanFiltering asks the kernel itself, in a scratch namespace.
func kernelLacksVlanFiltering() bool {
	out, err := exec.Command("unshare", "-n", "ip", "link", "add", "b0", "type", "bridge", "vlan_filtering", "1").CombinedOutput()
	return err != nil && strings.Contains(string(out), "not supported")
}

// TestNetworkLifecycle covers define, autostart, uuid/name, dumpxml,
// update of DHCP hosts and ranges (live and config), and bad input.
func TestNetworkLifecycle(t *testing.T) {
	e := newNetEnv(t)
	e.define(natNetwork)
	uuid := strings.TrimSpace(e.must("net-uuid", "vt"))
	if name := strings.TrimSpace(e.must("net-name", uuid)); name != "vt" {
		t.Errorf("net-name %s = %q", uuid, name)
	}
	if out := e.must("net-autostart", "vt"); out != "Network vt marked as autostarted\n\n" {
		t.Errorf("net-autostart: %q", out)
	}
	if out := e.must("net-dumpxml", "vt"); !strings.Contains(out, "<mac address=\"52:54:00:") || !strings.Contains(out, "stp=\"off\"") {
		t.Errorf("net-dumpxml lacks the generated MAC or the bridge:\n%s", out)
	}
	e.must("net-update", "vt", "add", "ip-dhcp-host", `<host mac='52:54:00:aa:00:01' name='a1' ip='10.99.0.50'/>`, "--config")
	e.must("net-start", "vt")
	hosts := filepath.Join(e.dnsmasqDir(), "vt.hostsfile")
	if b, _ := os.ReadFile(hosts); string(b) != "52:54:00:aa:00:01,10.99.0.50,a1\n" {
		t.Errorf("hostsfile after a config update and start: %q", b)
	}
	if out := e.must("net-update", "vt", "modify", "ip-dhcp-host", `<host mac='52:54:00:aa:00:01' name='a1' ip='10.99.0.51'/>`); out != "Updated network vt live state\n" {
		t.Errorf("net-update modify: %q", out)
	}
	if b, _ := os.ReadFile(hosts); string(b) != "52:54:00:aa:00:01,10.99.0.51,a1\n" {
		t.Errorf("hostsfile after a live modify: %q", b)
	}
	e.must("net-update", "vt", "add", "ip-dhcp-range", `<range start='10.99.0.100' end='10.99.0.110'/>`, "--live", "--config")
	e.must("net-update", "vt", "modify", "ip-dhcp-range", `<range start='10.99.0.100' end='10.99.0.120'/>`, "--live")
	conf, _ := os.ReadFile(filepath.Join(e.dnsmasqDir(), "vt.conf"))
	if !strings.Contains(string(conf), "dhcp-range=10.99.0.100,10.99.0.120,255.255.255.0") {
		t.Errorf("dnsmasq config after range updates:\n%s", conf)
	}
	if !e.dnsmasqRunning() {
		t.Error("dnsmasq not running after a range update")
	}
	r := e.virtsh("net-update", "vt", "delete", "ip-dhcp-host", `<host mac='52:54:00:aa:00:99'/>`)
	if r.code != 1 || !strings.Contains(r.stderr, "couldn't locate a matching dhcp host entry") {
		t.Errorf("deleting a missing host: exit %d %s", r.code, r.stderr)
	}
	e.must("net-update", "vt", "delete", "ip-dhcp-host", `<host mac='52:54:00:aa:00:01'/>`)
	if inactive := e.must("net-dumpxml", "vt", "--inactive"); !strings.Contains(inactive, "10.99.0.50") || strings.Contains(inactive, "10.99.0.120") {
		t.Errorf("the persistent config changed with live-only updates:\n%s", inactive)
	}
	if r := e.virtsh("-r", "net-destroy", "vt"); r.code != 1 || !strings.Contains(r.stderr, "read only") {
		t.Errorf("net-destroy under -r: exit %d %s", r.code, r.stderr)
	}
	if r := e.virtsh("-r", "net-update", "vt", "delete", "ip-dhcp-range", `<range start='10.99.0.10' end='10.99.0.20'/>`); r.code != 1 || !strings.Contains(r.stderr, "read only") {
		t.Errorf("net-update under -r: exit %d %s", r.code, r.stderr)
	}
	e.must("net-destroy", "vt")
	e.assertClean("vtbr0")
	r = e.virtsh("net-define", "/nonexistent.xml")
	if r.code != 1 {
		t.Errorf("net-define of a missing file: exit %d", r.code)
	}
	path := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(path, []byte("<network><name>bad</name><forward mode='nat'/><ip address='10.1.1.1' prefix='24'/><bandwidth><inbound average='1'/></bandwidth></network>"), 0o600)
	if r := e.virtsh("net-define", path); r.code != 1 || !strings.Contains(r.stderr, "<bandwidth>") {
		t.Errorf("net-define of unsupported XML: exit %d %s", r.code, r.stderr)
	}
	if r := e.virtsh("dominfo", "x"); r.code != 1 || !strings.Contains(r.stderr, "network:///system manages networks") {
		t.Errorf("domains on network:///system: exit %d %s", r.code, r.stderr)
	}
}

// TestInterfaces: iface-list, iface-dumpxml, iface-bridge (the bridge
// takes the interface's address and default route), iface-unbridge
// (gives them back), iface-destroy and iface-start, in a namespace.
func TestInterfaces(t *testing.T) {
	e := newNetEnv(t)
	e.in("ip", "link", "add", "vi0", "type", "veth", "peer", "name", "vi1")
	e.in("ip", "addr", "add", "10.55.0.2/24", "dev", "vi0")
	e.in("ip", "link", "set", "vi1", "up")
	e.in("ip", "link", "set", "vi0", "up")
	e.in("ip", "route", "add", "default", "via", "10.55.0.1")
	if out := e.must("iface-list"); !strings.Contains(out, " vi0    active") {
		t.Errorf("iface-list:\n%s", out)
	}
	if out := e.must("iface-bridge", "vi0", "br9"); out != "Created bridge br9 with attached device vi0\nBridge interface br9 started\n\n" {
		t.Errorf("iface-bridge: %q", out)
	}
	if out := e.in("ip", "-br", "addr", "show", "br9"); !strings.Contains(out, "10.55.0.2/24") {
		t.Errorf("bridge address: %s", out)
	}
	if out := e.in("ip", "route", "show", "default"); !strings.Contains(out, "dev br9") {
		t.Errorf("default route after iface-bridge: %s", out)
	}
	if out := e.must("iface-dumpxml", "br9"); !strings.Contains(out, `<interface type="bridge" name="br9">`) || !strings.Contains(out, `name="vi0"`) || !strings.Contains(out, `address="10.55.0.2" prefix="24"`) {
		t.Errorf("iface-dumpxml:\n%s", out)
	}
	if r := e.virtsh("-r", "iface-destroy", "vi0"); r.code != 1 || !strings.Contains(r.stderr, "read only") {
		t.Errorf("iface-destroy under -r: %d %s", r.code, r.stderr)
	}
	if out := e.must("iface-unbridge", "br9"); out != "Device vi0 un-attached from bridge br9\nInterface vi0 started\n\n" {
		t.Errorf("iface-unbridge: %q", out)
	}
	if out := e.in("ip", "-br", "addr", "show", "vi0"); !strings.Contains(out, "10.55.0.2/24") {
		t.Errorf("address after iface-unbridge: %s", out)
	}
	if out := e.in("ip", "route", "show", "default"); !strings.Contains(out, "dev vi0") {
		t.Errorf("default route after iface-unbridge: %s", out)
	}
	e.must("iface-destroy", "vi0")
	if out := e.must("iface-list", "--inactive"); !strings.Contains(out, " vi0    inactive") {
		t.Errorf("iface-list --inactive after iface-destroy:\n%s", out)
	}
	e.must("iface-start", "vi0")
	if r := e.virtsh("iface-start", "nope0"); r.code != 1 || !strings.Contains(r.stderr, "couldn't find interface named 'nope0'") {
		t.Errorf("iface-start of a missing interface: %d %s", r.code, r.stderr)
	}
}
