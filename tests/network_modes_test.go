package tests

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Forward modes other than nat (route, open, isolated, bridge) and the
// network's DNS server, each in a namespace of its own (see
// network_test.go).

// modeNetwork is a network vm with bridge vmbr0 on 10.97.0.1/24, the
// given <forward> element ("" for none: isolated) and extra elements.
func modeNetwork(forward, extra string) string {
	return fmt.Sprintf(`<network>
  <name>vm</name>
  %s
  <bridge name='vmbr0' stp='off'/>
  %s
  <ip address='10.97.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.97.0.10' end='10.97.0.20'/>
    </dhcp>
  </ip>
</network>
`, forward, extra)
}

// chain is one chain of virtsh's table in the namespace, as nft lists it.
func (e *netEnv) chain(name string) string {
	return e.in("nft", "list", "chain", "ip", "virtsh_network", name)
}

func (e *netEnv) ipForward() string {
	return strings.TrimSpace(e.in("cat", "/proc/sys/net/ipv4/ip_forward"))
}

// startActive starts network vm and checks its bridge and dnsmasq.
func (e *netEnv) startActive() {
	e.t.Helper()
	if out := e.must("net-start", "vm"); out != "Network vm started\n\n" {
		e.t.Errorf("net-start: %q", out)
	}
	if out := e.in("ip", "-br", "addr", "show", "vmbr0"); !strings.Contains(out, "10.97.0.1/24") {
		e.t.Errorf("bridge address: %s", out)
	}
	if out := e.in("ip", "link", "show", "vmbr0"); !strings.Contains(out, ",UP") {
		e.t.Errorf("bridge is not up: %s", out)
	}
	if !e.dnsmasqRunning() {
		e.t.Error("dnsmasq is not running")
	}
}

// guestAndOutside joins two namespaces to the network's: a guest on the
// bridge (10.97.0.5, default route via 10.97.0.1) and an outside host
// (10.96.0.2) on a veth from the network's namespace (10.96.0.1). The
// outside host has a route back to the guests' subnet only if routeBack.
func (e *netEnv) guestAndOutside(routeBack bool) (guest, outside string) {
	t := e.t
	t.Helper()
	guest, outside = newNamespace(t), newNamespace(t)
	sh(t, "ip", "link", "add", "vmg0", "netns", guest, "type", "veth", "peer", "name", "vmgh0", "netns", e.ns)
	sh(t, "ip", "-n", e.ns, "link", "set", "vmgh0", "master", "vmbr0", "up")
	sh(t, "ip", "-n", guest, "addr", "add", "10.97.0.5/24", "dev", "vmg0")
	sh(t, "ip", "-n", guest, "link", "set", "vmg0", "up")
	sh(t, "ip", "-n", guest, "route", "add", "default", "via", "10.97.0.1")
	sh(t, "ip", "link", "add", "vmo0", "netns", outside, "type", "veth", "peer", "name", "vmoh0", "netns", e.ns)
	sh(t, "ip", "-n", e.ns, "addr", "add", "10.96.0.1/24", "dev", "vmoh0")
	sh(t, "ip", "-n", e.ns, "link", "set", "vmoh0", "up")
	sh(t, "ip", "-n", outside, "addr", "add", "10.96.0.2/24", "dev", "vmo0")
	sh(t, "ip", "-n", outside, "link", "set", "vmo0", "up")
	if routeBack {
		sh(t, "ip", "-n", outside, "route", "add", "10.97.0.0/24", "via", "10.96.0.1")
	}
	return guest, outside
}

// pings reports whether one ping from namespace ns to addr is answered.
func pings(ns, addr string) bool {
	return exec.Command("ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "2", addr).Run() == nil
}

// TestNetworkRouteMode: mode route writes the accept rules for the
// network's subnet both ways, the reject and cross rules, no masquerade
// (no guest_nat rule at all), and turns ip_forward on.
func TestNetworkRouteMode(t *testing.T) {
	e := newNetEnv(t)
	e.define(modeNetwork("<forward mode='route'/>", ""))
	e.startActive()
	out := e.chain("guest_output")
	accept, reject := strings.Index(out, `ip saddr 10.97.0.0/24 iif "vmbr0" accept`), strings.Index(out, `iif "vmbr0" reject`)
	if accept < 0 || reject < accept {
		t.Errorf("guest_output (route: accept from the subnet, then reject):\n%s", out)
	}
	if out := e.chain("guest_input"); !strings.Contains(out, `ip daddr 10.97.0.0/24 oif "vmbr0" accept`) ||
		!strings.Contains(out, `oif "vmbr0" reject`) || strings.Contains(out, "ct state") {
		t.Errorf("guest_input (route: accept without conntrack, then reject):\n%s", out)
	}
	if out := e.chain("guest_cross"); !strings.Contains(out, `iif "vmbr0" oif "vmbr0" accept`) {
		t.Errorf("guest_cross:\n%s", out)
	}
	if out := e.in("nft", "list", "ruleset"); strings.Contains(out, "masquerade") || strings.Contains(e.chain("guest_nat"), "10.97.0.0") {
		t.Errorf("route mode masquerades:\n%s", out)
	}
	if f := e.ipForward(); f != "1" {
		t.Errorf("ip_forward in the namespace = %q, want 1", f)
	}
	if out := e.must("net-dumpxml", "vm"); !strings.Contains(out, `<forward mode="route"></forward>`) && !strings.Contains(out, `<forward mode="route"/>`) {
		t.Errorf("net-dumpxml:\n%s", out)
	}
	// Routed, not masqueraded: the outside host answers the guest only
	// through its route back to the guests' subnet.
	guest, outside := e.guestAndOutside(true)
	if !pings(guest, "10.96.0.2") {
		t.Error("a guest of a routed network cannot reach a host outside")
	}
	sh(t, "ip", "-n", outside, "route", "del", "10.97.0.0/24")
	if pings(guest, "10.96.0.2") {
		t.Error("a guest of a routed network reaches a host outside without its route back: masqueraded?")
	}
	e.must("net-destroy", "vm")
	e.assertClean("vmbr0")
}

// TestNetworkOpenMode: mode open writes no firewall rule at all (not
// even virtsh's table), yet has its bridge, address and dnsmasq, and
// turns ip_forward on (as libvirt does for every forward mode): a guest
// reaches a host outside that routes back to it.
func TestNetworkOpenMode(t *testing.T) {
	e := newNetEnv(t)
	e.define(modeNetwork("<forward mode='open'/>", ""))
	e.startActive()
	if out := e.in("nft", "list", "ruleset"); strings.TrimSpace(out) != "" {
		t.Errorf("open mode wrote firewall rules:\n%s", out)
	}
	if f := e.ipForward(); f != "1" {
		t.Errorf("ip_forward in the namespace = %q, want 1", f)
	}
	if guest, _ := e.guestAndOutside(true); !pings(guest, "10.96.0.2") {
		t.Error("a guest of an open network cannot reach a host outside")
	}
	e.must("net-destroy", "vm")
	e.assertClean("vmbr0")
}

// TestNetworkIsolatedMode: a network without <forward> gets only the
// reject rules (and the accept between its own ports), no accept for
// its subnet, no masquerade, and leaves ip_forward alone. A guest
// reaches the host's bridge address, but nothing beyond, even with
// forwarding on and a route back.
func TestNetworkIsolatedMode(t *testing.T) {
	e := newNetEnv(t)
	before := e.ipForward()
	e.define(modeNetwork("", ""))
	e.startActive()
	if out := e.chain("guest_output"); !strings.Contains(out, `iif "vmbr0" reject`) || strings.Contains(out, "accept") {
		t.Errorf("guest_output (isolated: reject only):\n%s", out)
	}
	if out := e.chain("guest_input"); !strings.Contains(out, `oif "vmbr0" reject`) || strings.Contains(out, "accept") {
		t.Errorf("guest_input (isolated: reject only):\n%s", out)
	}
	if out := e.chain("guest_cross"); !strings.Contains(out, `iif "vmbr0" oif "vmbr0" accept`) {
		t.Errorf("guest_cross:\n%s", out)
	}
	if out := e.in("nft", "list", "ruleset"); strings.Contains(out, "masquerade") || strings.Contains(out, "10.97.0.0") {
		t.Errorf("isolated network has forwarding rules:\n%s", out)
	}
	if f := e.ipForward(); f != before {
		t.Errorf("ip_forward changed from %s to %s by an isolated network", before, f)
	}
	guest, _ := e.guestAndOutside(true)
	e.in("sysctl", "-qw", "net.ipv4.ip_forward=1") // only the rules stop it now
	if !pings(guest, "10.97.0.1") {
		t.Error("a guest of an isolated network cannot reach the bridge address")
	}
	if pings(guest, "10.96.0.2") {
		t.Error("a guest of an isolated network reaches a host outside")
	}
	if out := e.must("net-dumpxml", "vm"); strings.Contains(out, "<forward") {
		t.Errorf("net-dumpxml of an isolated network has a <forward>:\n%s", out)
	}
	e.must("net-destroy", "vm")
	e.assertClean("vmbr0")
}

// TestNetworkBridgeMode: mode bridge over a bridge the test creates:
// net-start only checks the bridge (no address, rule or dnsmasq) and
// fails naming it when it is missing; net-destroy leaves it in place.
func TestNetworkBridgeMode(t *testing.T) {
	e := newNetEnv(t)
	e.define(`<network>
  <name>hb</name>
  <forward mode='bridge'/>
  <bridge name='hostbr0'/>
</network>
`)
	r := e.virtsh("net-start", "hb")
	if r.code != 1 || !strings.Contains(r.stderr, "hostbr0") {
		t.Errorf("net-start without the bridge: exit %d\n%s", r.code, r.stderr)
	}
	if out := e.in("ip", "link", "show", "hostbr0"); !strings.Contains(out, "does not exist") {
		t.Errorf("net-start created the host bridge:\n%s", out)
	}
	e.in("ip", "link", "add", "hostbr0", "type", "veth", "peer", "name", "hostbr1")
	if r := e.virtsh("net-start", "hb"); r.code != 1 || !strings.Contains(r.stderr, "not a bridge") {
		t.Errorf("net-start on a veth: exit %d\n%s", r.code, r.stderr)
	}
	e.in("ip", "link", "del", "hostbr0")

	e.in("ip", "link", "add", "hostbr0", "type", "bridge")
	e.in("ip", "link", "set", "hostbr0", "up")
	hostBridge := func() string { // its state, addresses and bridge options
		return e.in("ip", "-br", "link", "show", "hostbr0") + e.in("ip", "-br", "-4", "addr", "show", "hostbr0") +
			e.in("cat", "/sys/class/net/hostbr0/bridge/stp_state", "/sys/class/net/hostbr0/bridge/forward_delay", "/sys/class/net/hostbr0/bridge/vlan_filtering")
	}
	before := hostBridge()
	e.must("net-start", "hb")
	if out := e.must("net-info", "hb"); !strings.Contains(out, "Active:         yes") || !strings.Contains(out, "Bridge:         hostbr0") {
		t.Errorf("net-info:\n%s", out)
	}
	if after := hostBridge(); after != before {
		t.Errorf("net-start changed the host bridge:\nbefore %s\nafter  %s", before, after)
	}
	if out := e.in("nft", "list", "ruleset"); strings.TrimSpace(out) != "" {
		t.Errorf("bridge mode wrote firewall rules:\n%s", out)
	}
	if e.dnsmasqRunning() {
		t.Error("bridge mode started dnsmasq")
	}
	e.must("net-destroy", "hb")
	if out := hostBridge(); out != before {
		t.Errorf("net-destroy changed or removed the host bridge:\nbefore %s\nafter  %s", before, out)
	}
	if out := e.must("net-list", "--all"); !strings.Contains(out, "hb     inactive") {
		t.Errorf("net-list after destroy:\n%s", out)
	}
	e.in("ip", "link", "del", "hostbr0")
	e.assertClean("hostbr0")
}

// TestNetworkDNS: a client in a second namespace, joined to the bridge
// by a veth, asks the network's dnsmasq (busybox nslookup through the
// bridge address) for a <dns><host> entry, by its name and by its name
// in the network's <domain>; with localOnly='yes' an unknown name of the
// domain is NXDOMAIN, never forwarded. net-destroy stops the server.
func TestNetworkDNS(t *testing.T) {
	needNetworking(t, "busybox")
	e := newNetEnv(t)
	client := newNamespace(t)
	e.define(modeNetwork("<forward mode='nat'/>", `<domain name='vm.test' localOnly='yes'/>
  <dns>
    <host ip='10.97.0.77'><hostname>web</hostname><hostname>www</hostname></host>
  </dns>`))
	e.startActive()
	sh(t, "ip", "link", "add", "vmc0", "netns", client, "type", "veth", "peer", "name", "vmh0", "netns", e.ns)
	sh(t, "ip", "-n", e.ns, "link", "set", "vmh0", "master", "vmbr0", "up")
	sh(t, "ip", "-n", client, "addr", "add", "10.97.0.5/24", "dev", "vmc0")
	sh(t, "ip", "-n", client, "link", "set", "vmc0", "up")
	lookup := func(name string) (string, error) {
		out, err := exec.Command("ip", "netns", "exec", client, "busybox", "timeout", "10",
			"busybox", "nslookup", "-type=a", name, "10.97.0.1").CombinedOutput()
		return string(out), err
	}
	for _, name := range []string{"web", "www", "web.vm.test"} {
		out, err := lookup(name)
		if err != nil || !strings.Contains(out, "Address: 10.97.0.77") {
			t.Errorf("nslookup %s: %v\n%s", name, err, out)
		}
	}
	if out, err := lookup("nope.vm.test"); err == nil || !strings.Contains(out, "NXDOMAIN") {
		t.Errorf("nslookup of an unknown name of a localOnly domain: %v\n%s", err, out)
	}
	e.must("net-destroy", "vm")
	e.assertClean("vmbr0")
	if out, err := lookup("web"); err == nil {
		t.Errorf("DNS still answers after net-destroy:\n%s", out)
	}
}
