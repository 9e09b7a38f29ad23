package xen

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv/nstest"
)

const g1NetXML = `<domain type='xen'>
  <name>g1</name>
  <uuid>8284b3ee-ea55-11f1-9aba-5e11b7ef43a6</uuid>
  <memory unit='MiB'>128</memory>
  <os><type>linux</type><kernel>/guest/vmlinuz</kernel></os>
  <devices>
    <interface type='network'><mac address='00:16:3e:00:00:05'/><source network='xnet'/></interface>
  </devices>
</domain>`

// TestNetworkVif starts a domain with a vif on a virtual network (a real
// network of the shared network driver, its bridge in a private network
// namespace; xl replayed): the network must be active, its bridge goes
// into the vif, the port is recorded under the vif's name while the
// domain runs, hot-plugged vifs get theirs, and none is left after
// destroy.
func TestNetworkVif(t *testing.T) {
	c, f := newTestConn(t)
	nstest.Run(t, func() {
		ctx := context.Background()
		nets := c.Networks()
		doms := c.Domains()
		if _, err := nets.Define(ctx, "<network><name>xnet</name><bridge name='xnbr0' stp='off'/></network>", backend.DefineOptions{}); err != nil {
			t.Error(err)
			return
		}
		if _, err := doms.Define(ctx, g1NetXML, backend.DefineOptions{}); err != nil {
			t.Error(err)
			return
		}
		if err := doms.Start(ctx, "g1", backend.StartOptions{}); err == nil || err.Error() != "operation failed: network 'xnet' is not active" || f.ran("xl create") {
			t.Errorf("start on an inactive network: %v, ran %v", err, f.calls)
		}
		if _, err := c.DomainXMLToNative(ctx, "xen-xl", g1NetXML); err == nil || err.Error() != "internal error: network xnet is not active" {
			t.Errorf("domxml-to-native on an inactive network: %v", err)
		}
		if err := nets.Start(ctx, "xnet"); err != nil {
			t.Error(err)
			return
		}
		f.then["xl create -q "+c.cfgPath("g1")] = []string{guestLine("3", "-b----")}
		if err := doms.Start(ctx, "g1", backend.StartOptions{}); err != nil {
			t.Error(err)
			return
		}
		want := `vif = [ "mac=00:16:3e:00:00:05,bridge=xnbr0,script=vif-bridge" ]`
		if cfg, _ := os.ReadFile(c.cfgPath("g1")); !strings.Contains(string(cfg), want) {
			t.Errorf("xl configuration lacks %s:\n%s", want, cfg)
		}
		if cfg, err := c.DomainXMLToNative(ctx, "xen-xl", g1NetXML); err != nil || !strings.Contains(cfg, want) {
			t.Errorf("domxml-to-native: %v\n%s", err, cfg)
		}
		checkPorts(t, c, "vif3.0")

		devs := doms.(backend.DomainDevices)
		nic := `<interface type='network'><mac address='00:16:3e:00:00:06'/><source network='xnet'/></interface>`
		f.out["xl network-list 3"] = "Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path\n" +
			"0   0  00:16:3e:00:00:05     0     4     19    768/769         /local/domain/0/backend/vif/3/0\n" +
			"2   0  00:16:3e:00:00:06     2     4     21    1280/1281       /local/domain/0/backend/vif/3/2\n"
		if err := devs.AttachDevice(ctx, "g1", nic, backend.Scope{}); err != nil || !f.ran("xl network-attach 3 mac=00:16:3e:00:00:06 bridge=xnbr0 script=vif-bridge") {
			t.Errorf("attach: %v %v", err, f.calls)
		}
		checkPorts(t, c, "vif3.0", "vif3.2")
		if err := devs.DetachDevice(ctx, "g1", nic, backend.Scope{}); err != nil {
			t.Errorf("detach: %v", err)
		}
		checkPorts(t, c, "vif3.0")

		if err := doms.Destroy(ctx, "g1", backend.DestroyOptions{}); err != nil {
			t.Error(err)
		}
		f.guests = nil
		checkPorts(t, c)
		// A start that fails in xl leaves no port either.
		f.fail["xl create"] = "libxl: error: cannot create"
		if err := doms.Start(ctx, "g1", backend.StartOptions{}); err == nil {
			t.Errorf("start succeeded despite xl")
		}
		checkPorts(t, c)
		if err := nets.Destroy(ctx, "xnet"); err != nil {
			t.Error(err)
		}
	})
}

// checkPorts wants exactly the ports of devices on network xnet, owned by g1.
func checkPorts(t *testing.T, c *Conn, devices ...string) {
	t.Helper()
	ports, err := c.nets.Ports(context.Background(), "xnet")
	if err != nil {
		t.Error(err)
		return
	}
	var got []string
	for _, p := range ports {
		if p.Owner != "g1" || p.Bridge != "xnbr0" {
			t.Errorf("port %+v", p)
		}
		got = append(got, p.Device)
	}
	if strings.Join(sorted(got), " ") != strings.Join(devices, " ") {
		t.Errorf("ports on xnet: %v, want %v", got, devices)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestNetworkVifNeedsNetwork: a vif on a network that does not exist is
// refused by start and by domxml-to-native with the network driver's error.
func TestNetworkVifNeedsNetwork(t *testing.T) {
	c, f := newTestConn(t)
	ctx := context.Background()
	if _, err := c.Domains().Define(ctx, g1NetXML, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	err := c.Domains().Start(ctx, "g1", backend.StartOptions{})
	if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "no network with matching name 'xnet'") || f.ran("xl create") {
		t.Errorf("start: %v, ran %v", err, f.calls)
	}
	if _, err := c.DomainXMLToNative(ctx, "xen-xl", g1NetXML); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("domxml-to-native: %v", err)
	}
}
