package links

import (
	"errors"
	"net"
	"testing"

	"github.com/virtsh/virtsh/backend/netdrv/nstest"
)

// TestGuestPortOnBridge checks, on a real bridge without VLAN filtering in
// a private namespace, the port-level part of macTableManager='libvirt':
// the tap gets the FE: MAC and the bridge's MTU, learning and unicast
// flooding are off, and the static FDB entry of the guest MAC is added
// (master, static, not local) and removed.
func TestGuestPortOnBridge(t *testing.T) {
	nstest.Run(t, func() {
		guest, _ := net.ParseMAC("52:54:00:12:34:56")
		if err := CreateBridge(Bridge{Name: "br-t", MTU: 1400, Delay: 0}); err != nil {
			t.Error(err)
			return
		}
		tap, err := CreateTap("vnet%d", HostMAC(guest), 0, true, false)
		if err != nil {
			t.Error(err)
			return
		}
		defer tap.Close()
		if tap.Name != "vnet0" {
			t.Errorf("tap name %q, want vnet0", tap.Name)
		}
		if err := Enslave(tap.Name, "br-t", 1400, PortFlags{NoLearning: true, NoUnicastFlood: true}); err != nil {
			t.Error(err)
			return
		}
		st, err := Port(tap.Name)
		if err != nil || st.Master != "br-t" || st.Learning || st.UnicastFlood {
			t.Errorf("port state %+v, %v: want master br-t, learning and flood off", st, err)
		}
		if mtu, _ := MTU(tap.Name); mtu != 1400 {
			t.Errorf("tap MTU %d, want the bridge's 1400", mtu)
		}
		if err := AddFDB(tap.Name, guest); err != nil {
			t.Error(err)
		}
		if err := AddFDB(tap.Name, guest); err != nil {
			t.Errorf("adding an existing entry again: %v", err)
		}
		if e := find(t, tap.Name, guest); e == nil || !e.Master || !e.Static || e.Local {
			t.Errorf("FDB entry %+v: want master, static, not local", e)
		}
		if err := DelFDB(tap.Name, guest); err != nil {
			t.Error(err)
		}
		if e := find(t, tap.Name, guest); e != nil {
			t.Errorf("FDB entry %+v still there after DelFDB", e)
		}
		if err := DelFDB(tap.Name, guest); err != nil {
			t.Errorf("deleting a missing entry: %v", err)
		}
	})
}

func find(t *testing.T, port string, mac net.HardwareAddr) *FDBEntry {
	entries, err := FDB(port)
	if err != nil {
		t.Error(err)
	}
	for _, e := range entries {
		if e.MAC.String() == mac.String() {
			return &e
		}
	}
	return nil
}

func TestHostMAC(t *testing.T) {
	for in, want := range map[string]string{"52:54:00:aa:bb:cc": "fe:54:00:aa:bb:cc", "fe:54:00:aa:bb:cc": "fa:54:00:aa:bb:cc"} {
		mac, _ := net.ParseMAC(in)
		if got := HostMAC(mac).String(); got != want {
			t.Errorf("HostMAC(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestVlanFiltering checks that a kernel without bridge VLAN filtering
// yields ErrNoVlanFiltering, and that one with it turns it on.
func TestVlanFiltering(t *testing.T) {
	nstest.Run(t, func() {
		if err := CreateBridge(Bridge{Name: "br-v", STP: true}); err != nil {
			t.Error(err)
			return
		}
		err := SetVlanFiltering("br-v")
		if KernelLacks("CONFIG_BRIDGE_VLAN_FILTERING") {
			if !errors.Is(err, ErrNoVlanFiltering) {
				t.Errorf("got %v, want ErrNoVlanFiltering on this kernel", err)
			}
		} else if err != nil {
			t.Error(err)
		}
	})
}
