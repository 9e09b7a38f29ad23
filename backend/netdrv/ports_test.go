package netdrv

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv/links"
	"github.com/virtsh/virtsh/backend/netdrv/nstest"
)

// isolatedNetwork is a network driver under a temporary root with the
// isolated network iso (bridge isobr, and extra elements) defined; inside
// nstest.Run, where a failure is t.Error and a return.
func isolatedNetwork(t *testing.T, extra string) (*Driver, bool) {
	root := t.TempDir()
	d, err := New(fsutil.Dirs{Config: root + "/etc", Run: root + "/run", Lib: root + "/lib", Log: root + "/log"})
	if err == nil {
		_, err = d.Define(context.Background(), "<network><name>iso</name><bridge name='isobr' stp='off'/>"+extra+"</network>", backend.DefineOptions{})
	}
	if err != nil {
		t.Error(err)
		return nil, false
	}
	return d, true
}

// TestPortAPI plugs a guest tap and a container veth into a running
// isolated network in a private namespace, checks the ports (FE: MAC,
// the bridge's MTU, enslaved, recorded, listed), then unplugs one
// directly and the other from its record alone, as a restarted
// supervisor does.
func TestPortAPI(t *testing.T) {
	nstest.Run(t, func() {
		ctx := context.Background()
		d, ok := isolatedNetwork(t, "<mtu size='1400'/>")
		if !ok {
			return
		}
		if err := d.Start(ctx, "iso"); err != nil {
			t.Error(err)
			return
		}
		tap, err := d.PlugTap(ctx, PortSpec{Network: "iso", MAC: "52:54:00:01:02:03", Owner: "vm1", VnetHdr: true})
		if err != nil {
			t.Error(err)
			return
		}
		veth, err := d.PlugVeth(ctx, PortSpec{Network: "iso", MAC: "fe:54:00:01:02:04", Owner: "ct1"})
		if err != nil {
			t.Error(err)
			return
		}
		for _, c := range []struct {
			dev, mac string
		}{{tap.Device, "fe:54:00:01:02:03"}, {veth.Device, "fa:54:00:01:02:04"}} {
			l, err := net.InterfaceByName(c.dev)
			if err != nil {
				t.Error(err)
				continue
			}
			st, _ := links.Port(c.dev)
			if l.HardwareAddr.String() != c.mac || l.MTU != 1400 || st.Master != "isobr" || !st.Learning || !st.UnicastFlood {
				t.Errorf("%s: MAC %s MTU %d port %+v; want %s, 1400, on isobr with the kernel's MAC table", c.dev, l.HardwareAddr, l.MTU, st, c.mac)
			}
		}
		if peer, err := net.InterfaceByName(veth.Peer); err != nil || peer.HardwareAddr.String() != "fe:54:00:01:02:04" {
			t.Errorf("veth peer %s: %v %v, want the guest MAC", veth.Peer, peer, err)
		}
		ports, err := d.Ports(ctx, "iso")
		if err != nil || len(ports) != 2 {
			t.Errorf("Ports: %v %v", ports, err)
		}
		if err := tap.CPUsStarted(); err != nil { // no FDB entry with the kernel's MAC table
			t.Error(err)
		}
		if err := d.Unplug(ctx, tap); err != nil {
			t.Error(err)
		}
		if err := d.UnplugRecorded(ctx, veth.Device); err != nil {
			t.Error(err)
		}
		for _, dev := range []string{tap.Device, veth.Device, veth.Peer} {
			if links.Exists(dev) {
				t.Errorf("%s still exists after unplug", dev)
			}
		}
		if ports, _ := d.Ports(ctx, "iso"); len(ports) != 0 {
			t.Errorf("ports left after unplug: %v", ports)
		}
		if err := d.Destroy(ctx, "iso"); err != nil {
			t.Error(err)
		}
		if links.Exists("isobr") {
			t.Error("bridge left after destroy")
		}
		if !strings.HasPrefix(tap.Device, "vnet") || !strings.HasPrefix(veth.Device, "veth") {
			t.Errorf("device names %s %s", tap.Device, veth.Device)
		}
	})
}

// TestHypervisorPort records a port whose device the hypervisor made (as
// Xen's netback makes a vif, stood in for by a persistent tap): the
// network resolves to its bridge only while active, the port is listed
// and found by owner, and unplugging it forgets the record but leaves the
// device to its owner.
func TestHypervisorPort(t *testing.T) {
	nstest.Run(t, func() {
		ctx := context.Background()
		d, ok := isolatedNetwork(t, "")
		if !ok {
			return
		}
		spec := PortSpec{Network: "iso", Owner: "g1", OwnerUUID: "8284b3ee-ea55-11f1-9aba-5e11b7ef43a6", MAC: "00:16:3e:00:00:05", Device: "vif3.0"}
		if _, err := d.PortBridge(spec); err == nil || err.Error() != "operation failed: network 'iso' is not active" {
			t.Errorf("bridge of an inactive network: %v", err)
		}
		if err := d.Start(ctx, "iso"); err != nil {
			t.Error(err)
			return
		}
		if br, err := d.PortBridge(spec); br != "isobr" || err != nil {
			t.Errorf("PortBridge: %q %v", br, err)
		}
		tap, err := links.CreateTap(spec.Device, links.HostMAC(net.HardwareAddr{0, 0x16, 0x3e, 0, 0, 5}), 1500, false, true)
		if err != nil {
			t.Error(err)
			return
		}
		for _, f := range tap.Files {
			f.Close()
		}
		if _, err := d.RecordPort(spec); err != nil {
			t.Error(err)
			return
		}
		ports, err := d.Ports(ctx, "iso")
		if err != nil || len(ports) != 1 || ports[0].Device != "vif3.0" || ports[0].Bridge != "isobr" || ports[0].Owner != "g1" {
			t.Errorf("Ports: %+v %v", ports, err)
		}
		if owned, err := d.OwnedPorts(strings.ToUpper(spec.OwnerUUID)); err != nil || len(owned) != 1 || owned[0].Kind != KindHypervisor {
			t.Errorf("OwnedPorts: %+v %v", owned, err)
		}
		if err := d.UnplugOwned(ctx, spec.OwnerUUID); err != nil {
			t.Error(err)
		}
		if ports, _ := d.Ports(ctx, "iso"); len(ports) != 0 {
			t.Errorf("ports left after unplug: %v", ports)
		}
		if !links.Exists("vif3.0") {
			t.Error("unplugging a hypervisor's port deleted its device")
		}
		links.Delete("vif3.0")
		if err := d.Destroy(ctx, "iso"); err != nil {
			t.Error(err)
		}
	})
}
