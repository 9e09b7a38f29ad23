package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Containers on virtual networks through the virtsh binary: virtsh -c
// lxc:///system runs in a network namespace the test creates (netEnv), so
// the network's bridge, dnsmasq, the controller and the container's veth
// all live there.

// lxc runs virtsh -c lxc:///system ARGS in e's network namespace. It
// enters it with nsenter, not ip netns exec, whose fresh /sys has no
// cgroup mounts.
func (e *netEnv) lxc(args ...string) result {
	e.t.Helper()
	cmd := exec.Command("nsenter", append([]string{"--net=/run/netns/" + e.ns, virtshBin, "-c", "lxc:///system"}, args...)...)
	cmd.Env = append(cleanEnv(), "VIRTSH_ROOT="+e.root)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *netEnv) lxcMust(args ...string) string {
	e.t.Helper()
	r := e.lxc(args...)
	if r.code != 0 {
		e.t.Fatalf("virtsh -c lxc:///system %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// container defines and starts container name on rootfs with one
// interface on network, running sleep as init; it is destroyed and
// undefined when the test ends (before the network goes).
func (e *netEnv) container(name, rootfs, network, mac string) {
	e.t.Helper()
	xml := filepath.Join(e.t.TempDir(), name+".xml")
	doc := fmt.Sprintf(`<domain type='lxc'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type>exe</type><init>/bin/sleep</init><initarg>1000</initarg></os>
  <devices>
    <filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem>
    <interface type='network'><source network='%s'/><mac address='%s'/></interface>
    <console type='pty'/>
  </devices>
</domain>`, name, rootfs, network, mac)
	if err := os.WriteFile(xml, []byte(doc), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.lxcMust("define", xml)
	e.t.Cleanup(func() { e.lxc("destroy", name); e.lxc("undefine", name) })
	e.lxcMust("start", name)
}

// netRootfs is a busybox root with the applets a networked container uses
// and udhcpc's script, which sets the leased address.
func netRootfs(t *testing.T) string {
	root := busyboxRootfs(t)
	for _, applet := range []string{"udhcpc", "ip", "ping"} {
		os.Symlink("busybox", filepath.Join(root, "bin", applet))
	}
	script := "#!/bin/sh\n[ \"$1\" = bound ] && ip addr add $ip/$mask dev $interface\nexit 0\n"
	if err := os.WriteFile(filepath.Join(root, "bin/dhcp-script"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// lxcState is what the test reads of a container's runtime state.
type lxcState struct {
	ControllerPID int      `json:"controller_pid"`
	InitPID       int      `json:"init_pid"`
	Veths         []string `json:"veths"` // the host ends of its interfaces
}

func (e *netEnv) lxcState(name string) lxcState {
	e.t.Helper()
	var st lxcState
	b, err := os.ReadFile(filepath.Join(e.root, "system/run/virtsh/lxc", name+".json"))
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		e.t.Fatalf("state of %s: %v %+v", name, err, st)
	}
	return st
}

// startNATNetwork defines and starts the NAT network vt through
// lxc:///system, destroyed when the test ends.
func (e *netEnv) startNATNetwork() {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "vt.xml")
	os.WriteFile(path, []byte(natNetwork), 0o600)
	e.lxcMust("net-define", path)
	e.lxcMust("net-start", "vt")
	e.t.Cleanup(func() { e.lxc("net-destroy", "vt") })
}

// onlyVeth is the host end of the one interface of container name.
func (e *netEnv) onlyVeth(name string) string {
	e.t.Helper()
	st := e.lxcState(name)
	if len(st.Veths) != 1 {
		e.t.Fatalf("%s has %d interfaces, want 1: %+v", name, len(st.Veths), st)
	}
	return st.Veths[0]
}

type portRow struct {
	Owner, MAC, Device, Bridge string
}

func (e *netEnv) ports(network string) []portRow {
	e.t.Helper()
	var rows []portRow
	if err := json.Unmarshal([]byte(e.lxcMust("net-port-list", network, "-o", "json")), &rows); err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// vethGone checks that the host end dev and its port are gone.
func (e *netEnv) vethGone(network, dev string) {
	e.t.Helper()
	if out := e.in("ip", "link", "show", dev); !strings.Contains(out, "does not exist") {
		e.t.Errorf("%s left behind:\n%s", dev, out)
	}
	if ports := e.ports(network); len(ports) != 0 {
		e.t.Errorf("ports left behind: %+v", ports)
	}
}

// TestLXCOnNetwork: through lxc:///system, a NAT network is defined and
// started (and network:///system sees the same network); a container on
// it gets a DHCP lease with busybox udhcpc and pings the bridge; its port
// is listed with its host veth, which has the FE: MAC and is on the
// bridge; destroy unplugs it; so does destroy after a killed controller.
func TestLXCOnNetwork(t *testing.T) {
	needNetworking(t, "busybox")
	e := newNetEnv(t)
	e.startNATNetwork()
	if out := e.must("net-list"); !strings.Contains(out, "vt     active") {
		t.Errorf("network:///system net-list does not show lxc:///system's network:\n%s", out)
	}
	if out := e.lxcMust("iface-list", "--all"); !strings.Contains(out, "vtbr0") {
		t.Errorf("lxc:///system iface-list lacks the bridge:\n%s", out)
	}

	const mac = "52:54:00:cc:00:01"
	e.container("ct", netRootfs(t), "vt", mac)
	dev := e.onlyVeth("ct")
	if out := e.in("ip", "-d", "link", "show", dev); !strings.Contains(out, "master vtbr0") || !strings.Contains(out, "link/ether fe:54:00:cc:00:01") {
		t.Errorf("host end %s:\n%s", dev, out)
	}
	if out := e.lxcMust("dumpxml", "ct"); !strings.Contains(out, `<target dev="`+dev+`">`) {
		t.Errorf("dumpxml lacks the target %s:\n%s", dev, out)
	}
	if ports := e.ports("vt"); len(ports) != 1 || ports[0] != (portRow{Owner: "ct", MAC: mac, Device: dev, Bridge: "vtbr0"}) {
		t.Errorf("net-port-list vt: %+v", ports)
	}
	if r := e.lxc("lxc-enter-namespace", "ct", "--", "/bin/udhcpc", "-i", "eth0", "-n", "-q", "-t", "10", "-T", "1", "-s", "/bin/dhcp-script"); r.code != 0 || !strings.Contains(r.stdout+r.stderr, "obtained") {
		t.Fatalf("udhcpc in the container: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := e.lxc("lxc-enter-namespace", "ct", "--", "/bin/ping", "-c", "1", "-W", "5", "10.99.0.1"); r.code != 0 {
		t.Errorf("ping of the bridge from the container: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var leases string
	for range 50 { // dnsmasq runs the lease helper after it acks
		if leases = e.lxcMust("net-dhcp-leases", "vt"); strings.Contains(leases, mac) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(leases, mac) || !strings.Contains(leases, "10.99.0.") {
		t.Errorf("net-dhcp-leases lacks the container's lease:\n%s", leases)
	}
	e.lxcMust("destroy", "ct")
	e.vethGone("vt", dev)

	e.lxcMust("start", "ct")
	dev = e.onlyVeth("ct")
	if err := syscall.Kill(e.lxcState("ct").ControllerPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	e.lxcMust("destroy", "ct")
	e.vethGone("vt", dev)
}

// TestLXCMACTableLibvirt: on a network whose MAC table virtsh manages,
// the container's port has learning and flooding off and the static FDB
// entry of its MAC while it runs, not while it is suspended; destroy
// removes port and entry. This kernel lacks bridge VLAN filtering, so
// such a network cannot start here (TestNetworkMACTableLibvirt): the
// network starts with the kernel's MAC table and its live definition is
// then given macTableManager='libvirt', the state a start on a kernel
// with VLAN filtering leaves, less vlan_filtering=1.
func TestLXCMACTableLibvirt(t *testing.T) {
	needNetworking(t, "busybox", "bridge")
	e := newNetEnv(t)
	e.define(natNetwork)
	e.must("net-start", "vt")
	t.Cleanup(func() { e.virtsh("net-destroy", "vt") })
	live := filepath.Join(e.root, "system/run/virtsh/network/live/vt.xml")
	doc, err := os.ReadFile(live)
	if err != nil || !strings.Contains(string(doc), "<bridge ") {
		t.Fatalf("live definition: %v\n%s", err, doc)
	}
	os.WriteFile(live, []byte(strings.Replace(string(doc), "<bridge ", `<bridge macTableManager="libvirt" `, 1)), 0o600)

	const mac = "52:54:00:dd:00:01"
	e.container("mt", netRootfs(t), "vt", mac)
	dev := e.onlyVeth("mt")
	if out := e.in("bridge", "-d", "link", "show", "dev", dev); !strings.Contains(out, "learning off") || !strings.Contains(out, "flood off") {
		t.Errorf("port flags of %s:\n%s", dev, out)
	}
	fdb := func() bool {
		out := e.in("bridge", "fdb", "show", "dev", dev)
		return strings.Contains(out, mac+" master vtbr0 static")
	}
	if !fdb() {
		t.Errorf("no static FDB entry of %s while the container runs:\n%s", mac, e.in("bridge", "fdb", "show", "dev", dev))
	}
	e.lxcMust("suspend", "mt")
	if fdb() {
		t.Errorf("FDB entry of %s still there while the container is suspended", mac)
	}
	e.lxcMust("resume", "mt")
	if !fdb() {
		t.Errorf("no FDB entry of %s after resume", mac)
	}
	e.lxcMust("destroy", "mt")
	if out := e.in("bridge", "fdb", "show", "br", "vtbr0"); strings.Contains(out, mac) {
		t.Errorf("FDB entry of %s left after destroy:\n%s", mac, out)
	}
	e.vethGone("vt", dev)
}
