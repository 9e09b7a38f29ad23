package lxc

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv/links"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Containers on networks: the driver (and so the controller, dnsmasq and
// every link) runs in a network namespace each test creates; the host's
// own links are never touched.

// useNetns gives e a fresh network namespace, closed with the test.
func useNetns(e *env) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		e.t.Fatal(err)
	}
	defer orig.Close()
	ns, err := netns.New() // switches this thread into it
	if err != nil {
		e.t.Fatal(err)
	}
	defer netns.Set(orig)
	e.t.Cleanup(func() { ns.Close() })
	e.ns = ns
}

// bridgeInNS makes a plain bridge br0 with 10.99.0.1/24 in e's namespace.
func bridgeInNS(e *env) {
	e.inNS(func() {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = "br0"
		br := &netlink.Bridge{LinkAttrs: attrs}
		addr, _ := netlink.ParseAddr("10.99.0.1/24")
		for _, err := range []error{netlink.LinkAdd(br), netlink.AddrAdd(br, addr), netlink.LinkSetUp(br)} {
			if err != nil {
				e.t.Fatal(err)
			}
		}
	})
}

// network defines and starts a network in e's namespace, destroyed (with
// its dnsmasq) when the test ends, after its containers.
func (e *env) network(doc string) string {
	e.t.Helper()
	ctx := context.Background()
	nets := e.conn.Networks()
	var info backend.NetworkInfo
	var err error
	e.inNS(func() {
		if info, err = nets.Define(ctx, doc, backend.DefineOptions{}); err == nil {
			err = nets.Start(ctx, info.Name)
		}
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		e.inNS(func() {
			if err := nets.Destroy(ctx, info.Name); err != nil {
				e.t.Errorf("net-destroy: %v", err)
			}
		})
	})
	return info.Name
}

// hostEnd checks the host end of a container's interface in e's
// namespace: the FE: MAC, enslaved to bridge, the port flags.
func (e *env) hostEnd(dev, guestMAC, bridge string, macTableLibvirt bool) {
	e.t.Helper()
	e.inNS(func() {
		l, err := net.InterfaceByName(dev)
		if err != nil {
			e.t.Fatalf("host end %s: %v", dev, err)
		}
		if want := "fe" + guestMAC[2:]; l.HardwareAddr.String() != want {
			e.t.Errorf("%s MAC %s, want %s", dev, l.HardwareAddr, want)
		}
		st, err := links.Port(dev)
		if err != nil || st.Master != bridge || st.Learning == macTableLibvirt || st.UnicastFlood == macTableLibvirt {
			e.t.Errorf("%s port %+v %v: want on %s, learning and flood %v", dev, st, err, bridge, !macTableLibvirt)
		}
	})
}

// fdbEntry reports whether port dev has the static master FDB entry of mac.
func (e *env) fdbEntry(dev, mac string) bool {
	e.t.Helper()
	var found bool
	e.inNS(func() {
		entries, err := links.FDB(dev)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, f := range entries {
			if f.MAC.String() == mac && f.Master && f.Static && !f.Local {
				found = true
			}
		}
	})
	return found
}

// linkGone checks that dev and its port record are gone.
func (e *env) linkGone(dev string) {
	e.t.Helper()
	e.inNS(func() {
		if links.Exists(dev) {
			e.t.Errorf("%s left in the test namespace", dev)
		}
	})
	if _, err := e.conn.(*conn).nets.LoadPort(dev); !errors.Is(err, backend.ErrNotFound) {
		e.t.Errorf("port record of %s left: %v", dev, err)
	}
}

func (e *env) destroy(name string) {
	e.t.Helper()
	var err error
	e.inNS(func() { err = e.doms.Destroy(context.Background(), name, backend.DestroyOptions{}) })
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestBridgeNetwork: a container whose interface is on a host bridge is
// plugged through the network driver's port API (FE: host MAC,
// enslaved, recorded), reaches the bridge's address, and destroy removes
// its veth and port record.
func TestBridgeNetwork(t *testing.T) {
	e := newEnv(t)
	useNetns(e)
	bridgeInNS(e)
	e.start(domainXML("net", busyboxRoot(t), t.TempDir(), sleeper, `<interface type='bridge'>
      <source bridge='br0'/>
      <mac address='52:54:00:12:34:56'/>
      <ip address='10.99.0.2' prefix='24'/>
    </interface>`))

	st := e.state("net")
	if len(st.Veths) != 1 || !strings.HasPrefix(st.Veths[0], "veth") {
		t.Fatalf("veths %v", st.Veths)
	}
	dev := st.Veths[0]
	if _, err := os.Stat("/sys/class/net/" + dev); err == nil {
		t.Errorf("veth %s appeared in the host's namespace", dev)
	}
	e.hostEnd(dev, "52:54:00:12:34:56", "br0", false)
	if status, out := e.enter("net", "ping", "-c", "1", "-W", "5", "10.99.0.1"); status != 0 {
		t.Errorf("ping of the bridge from the container: %d\n%s", status, out)
	}
	if _, out := e.enter("net", "cat", "/sys/class/net/eth0/address"); out != "52:54:00:12:34:56\n" {
		t.Errorf("eth0 MAC %q", out)
	}
	if xml, _ := e.doms.XML(context.Background(), "net", backend.XMLOptions{}); !strings.Contains(xml, "<target dev=\""+dev+"\"></target>") {
		t.Errorf("live XML lacks the target %s:\n%s", dev, xml)
	}
	e.destroy("net")
	e.linkGone(dev)
}

const natNet = `<network>
  <name>vt</name>
  <forward mode='nat'/>
  <bridge name='vtbr0' stp='off'/>
  <ip address='10.99.1.1' prefix='24'>
    <dhcp><range start='10.99.1.10' end='10.99.1.20'/></dhcp>
  </ip>
</network>`

// dhcpScript is udhcpc's script: it sets the leased address.
const dhcpScript = "#!/bin/sh\n[ \"$1\" = bound ] && ip addr add $ip/$mask dev $interface\nexit 0\n"

// TestVirtualNetworkLease: a container on a NAT network gets a DHCP lease
// from the network's dnsmasq with busybox udhcpc, reaches the bridge
// address, has its port listed (host end named by <target dev>, container
// end by <guest dev>), and domifaddr (lease source) reports the
// leased address on its host end; destroy unplugs the port.
func TestVirtualNetworkLease(t *testing.T) {
	e := newEnv(t)
	useNetns(e)
	network := e.network(natNet)
	rootfs := busyboxRoot(t)
	if err := os.WriteFile(filepath.Join(rootfs, "bin/dhcp-script"), []byte(dhcpScript), 0o755); err != nil {
		t.Fatal(err)
	}
	e.start(domainXML("dhcp", rootfs, t.TempDir(), sleeper, `<interface type='network'>
      <source network='vt'/>
      <mac address='52:54:00:aa:00:01'/>
      <guest dev='lan0'/>
      <target dev='ctnet0'/>
    </interface>`))
	dev := e.state("dhcp").Veths[0]
	if dev != "ctnet0" {
		t.Errorf("host end %s, want the <target dev> ctnet0", dev)
	}
	e.hostEnd(dev, "52:54:00:aa:00:01", "vtbr0", false)

	if status, out := e.enter("dhcp", "udhcpc", "-i", "lan0", "-n", "-q", "-t", "10", "-T", "1", "-s", "/bin/dhcp-script"); status != 0 {
		t.Fatalf("udhcpc in the container: %d\n%s", status, out)
	}
	if status, out := e.enter("dhcp", "ping", "-c", "1", "-W", "5", "10.99.1.1"); status != 0 {
		t.Errorf("ping of the bridge from the container: %d\n%s", status, out)
	}
	ports, err := e.conn.Networks().(backend.NetworkPorts).Ports(context.Background(), network)
	if err != nil || len(ports) != 1 || ports[0].Device != dev || ports[0].Owner != "dhcp" || ports[0].MAC != "52:54:00:aa:00:01" {
		t.Errorf("ports of %s: %+v %v", network, ports, err)
	}
	var addrs []backend.InterfaceAddresses
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(addrs) == 0; time.Sleep(50 * time.Millisecond) {
		// dnsmasq runs the lease helper after it acks
		if addrs, err = e.doms.(backend.DomainAddresses).InterfaceAddresses(context.Background(), "dhcp", backend.AddressFromLease); err != nil {
			t.Fatal(err)
		}
	}
	if len(addrs) != 1 || addrs[0].Name != dev || addrs[0].MAC != "52:54:00:aa:00:01" || len(addrs[0].Addrs) != 1 ||
		!strings.HasPrefix(addrs[0].Addrs[0].Addr, "10.99.1.") || addrs[0].Addrs[0].Prefix != 24 || addrs[0].Addrs[0].Type != "ipv4" {
		t.Errorf("domifaddr --source lease: %+v", addrs)
	}
	if _, err := e.doms.(backend.DomainAddresses).InterfaceAddresses(context.Background(), "dhcp", backend.AddressFromAgent); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("domifaddr --source agent: %v, want unsupported", err)
	}
	e.destroy("dhcp")
	e.linkGone(dev)
}

// TestMACTableLibvirtContainer: on a network whose MAC table virtsh
// manages, the container's port has learning and unicast flooding off,
// and the static FDB entry of its MAC exists while it runs, not while it
// is suspended, and goes with the port on destroy; after a killed
// controller, destroy unplugs the port from its record.
//
// This kernel lacks bridge VLAN filtering, so a network with
// macTableManager='libvirt' cannot start here (net-start fails naming
// CONFIG_BRIDGE_VLAN_FILTERING: tests/network_test.go). The network is
// therefore started with the kernel's MAC table and its live definition
// then given macTableManager='libvirt', which is the state it would be in
// after a start on a kernel with VLAN filtering, less vlan_filtering=1.
func TestMACTableLibvirtContainer(t *testing.T) {
	e := newEnv(t)
	useNetns(e)
	network := e.network(`<network><name>mt</name><bridge name='mtbr0' stp='off'/>
  <ip address='10.99.2.1' prefix='24'/></network>`)
	live := filepath.Join(fsutil.DirsFor("network", true).Run, "live", network+".xml")
	doc, err := os.ReadFile(live)
	if err != nil || !strings.Contains(string(doc), "<bridge ") {
		t.Fatalf("live definition of %s: %v\n%s", network, err, doc)
	}
	if err := os.WriteFile(live, []byte(strings.Replace(string(doc), "<bridge ", `<bridge macTableManager="libvirt" `, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	const mac = "52:54:00:bb:00:01"
	iface := `<interface type='network'><source network='mt'/><mac address='` + mac + `'/><ip address='10.99.2.2' prefix='24'/></interface>`
	rootfs := busyboxRoot(t)
	e.start(domainXML("mt", rootfs, t.TempDir(), sleeper, iface))
	dev := e.state("mt").Veths[0]
	e.hostEnd(dev, mac, "mtbr0", true)
	if !e.fdbEntry(dev, mac) {
		t.Errorf("no static FDB entry of %s on %s while the container runs", mac, dev)
	}
	if status, out := e.enter("mt", "ping", "-c", "1", "-W", "5", "10.99.2.1"); status != 0 {
		t.Errorf("ping through a port without learning: %d\n%s", status, out)
	}
	ctx := context.Background()
	e.inNS(func() { err = e.doms.Suspend(ctx, "mt") }) // virtsh runs where the container's links are
	if err != nil {
		t.Fatal(err)
	}
	if e.fdbEntry(dev, mac) {
		t.Errorf("FDB entry of %s still on %s while the container is suspended", mac, dev)
	}
	e.inNS(func() { err = e.doms.Resume(ctx, "mt") })
	if err != nil {
		t.Fatal(err)
	}
	if !e.fdbEntry(dev, mac) {
		t.Errorf("no FDB entry of %s on %s after resume", mac, dev)
	}
	e.destroy("mt")
	e.linkGone(dev)

	// A killed controller leaves the port; destroy unplugs it from the
	// records.
	var startErr error
	e.inNS(func() { startErr = e.doms.Start(ctx, "mt", backend.StartOptions{}) })
	if startErr != nil {
		t.Fatal(startErr)
	}
	st := e.state("mt")
	dev = st.Veths[0]
	if err := syscall.Kill(st.ControllerPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitExit(st.ControllerPID, st.ControllerStart, 5*time.Second)
	e.inNS(func() {
		if !links.Exists(dev) {
			t.Errorf("%s vanished with the controller", dev)
		}
	})
	e.destroy("mt")
	e.linkGone(dev)
	e.checkGone(st)
}

// TestPlugFailureRollsBack: a container whose second interface is on an
// inactive network does not start, and the port of its first interface
// is unplugged: no veth, no port record.
func TestPlugFailureRollsBack(t *testing.T) {
	e := newEnv(t)
	useNetns(e)
	bridgeInNS(e)
	ctx := context.Background()
	if _, err := e.conn.Networks().Define(ctx, "<network><name>off</name><bridge name='offbr' stp='off'/></network>", backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := domainXML("half", busyboxRoot(t), t.TempDir(), sleeper, `<interface type='bridge'><source bridge='br0'/></interface>
    <interface type='network'><source network='off'/></interface>`)
	if _, err := e.doms.Define(ctx, doc, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	var err error
	e.inNS(func() { err = e.doms.Start(ctx, "half", backend.StartOptions{}) })
	if err == nil || !strings.Contains(err.Error(), "network 'off' is not active") {
		t.Fatalf("start with an interface on an inactive network: %v", err)
	}
	e.inNS(func() {
		ls, _ := netlink.LinkList()
		for _, l := range ls {
			if strings.HasPrefix(l.Attrs().Name, "veth") {
				t.Errorf("%s left after the failed start", l.Attrs().Name)
			}
		}
	})
	if records, _ := filepath.Glob(filepath.Join(fsutil.DirsFor("network", true).Run, "ports", "*.json")); len(records) > 0 {
		t.Errorf("port records left: %v", records)
	}
	if info, err := e.doms.LookupByName(ctx, "half"); err != nil || info.State != backend.DomainShutoff {
		t.Errorf("state after the failed start: %+v %v", info, err)
	}
}
