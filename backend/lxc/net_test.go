package lxc

import (
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// testNetns creates a network namespace holding a bridge br0 with
// 10.99.0.1/24, and returns it; it is deleted with the test. The host's
// own links are never touched.
func testNetns(t *testing.T) netns.NsHandle {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	ns, err := netns.New() // switches this thread into it
	if err != nil {
		t.Fatal(err)
	}
	defer netns.Set(orig)
	t.Cleanup(func() { ns.Close() })
	attrs := netlink.NewLinkAttrs()
	attrs.Name = "br0"
	br := &netlink.Bridge{LinkAttrs: attrs}
	if err := netlink.LinkAdd(br); err != nil {
		t.Fatal(err)
	}
	addr, _ := netlink.ParseAddr("10.99.0.1/24")
	if err := netlink.AddrAdd(br, addr); err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(br); err != nil {
		t.Fatal(err)
	}
	return ns
}

// TestBridgeNetwork: a container whose interface is on a bridge in a test
// namespace reaches the bridge's address; destroy removes its veth. The
// driver (and so the controller) runs inside the test namespace, as it
// would on a host whose bridge it is.
func TestBridgeNetwork(t *testing.T) {
	e := newEnv(t)
	ns := testNetns(t)
	rootfs := busyboxRoot(t)
	iface := `<interface type='bridge'>
      <source bridge='br0'/>
      <mac address='52:54:00:12:34:56'/>
      <ip address='10.99.0.2' prefix='24'/>
    </interface>`
	runtime.LockOSThread() // start from the test namespace: the controller inherits it
	orig, _ := netns.Get()
	if err := netns.Set(ns); err != nil {
		t.Fatal(err)
	}
	e.start(domainXML("net", rootfs, t.TempDir(), sleeper, iface))
	netns.Set(orig)
	orig.Close()
	runtime.UnlockOSThread()

	st := e.state("net")
	if len(st.Veths) != 1 {
		t.Fatalf("veths %v", st.Veths)
	}
	if _, err := os.Stat("/sys/class/net/" + st.Veths[0]); err == nil {
		t.Errorf("veth %s appeared in the host's namespace", st.Veths[0])
	}
	status, out := e.enter("net", "ping", "-c", "1", "-W", "5", "10.99.0.1")
	if status != 0 {
		t.Errorf("ping of the bridge from the container: %d\n%s", status, out)
	}
	if _, out := e.enter("net", "cat", "/sys/class/net/eth0/address"); out != "52:54:00:12:34:56\n" {
		t.Errorf("eth0 MAC %q", out)
	}
	if err := e.doms.Destroy(context.Background(), "net", backend.DestroyOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.LinkByName(st.Veths[0]); err == nil {
		t.Errorf("veth %s left in the test namespace after destroy", st.Veths[0])
	}
}
