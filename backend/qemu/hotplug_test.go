package qemu

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// TestAttachConfig: --config attach and detach of disks and interfaces
// edit the persistent definition, validated as define validates it; a
// refused change leaves the definition as it was.
func TestAttachConfig(t *testing.T) {
	c := openTest(t)
	doms := c.Domains()
	if _, err := doms.Define(ctx, fmt.Sprintf(smallXML, "web"), backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	dd := doms.(backend.DomainDevices)
	cfg := backend.Scope{Config: true}
	before, _ := doms.XML(ctx, "web", backend.XMLOptions{Inactive: true})
	for _, bad := range []struct{ xml, want string }{
		{`<disk type='file'><driver name='qemu' type='vmdk'/><source file='/img/x.vmdk'/><target dev='vdb'/></disk>`, "format 'vmdk' is not supported"},
		{`<disk type='file'><source file='/img/x.raw'/><target dev='xyz'/></disk>`, "disk target 'xyz' is not a valid disk name"},
		{`<interface type='nonsense'/>`, "interface/@type"},
	} {
		err := dd.AttachDevice(ctx, "web", bad.xml, cfg)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("attach %s: %v, want %q", bad.xml, err, bad.want)
		}
	}
	if after, _ := doms.XML(ctx, "web", backend.XMLOptions{Inactive: true}); after != before {
		t.Fatalf("a refused attach changed the definition:\n%s", after)
	}
	disk := `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/data.qcow2'/><target dev='vdb' bus='virtio'/></disk>`
	if err := dd.AttachDevice(ctx, "web", disk, backend.Scope{}); err != nil { // current = config while shut off
		t.Fatal(err)
	}
	if err := dd.AttachDevice(ctx, "web", disk, cfg); err == nil || !strings.Contains(err.Error(), "target vdb already exists") {
		t.Errorf("second attach: %v", err)
	}
	if err := dd.AttachDevice(ctx, "web", `<interface type='network'><source network='default'/><model type='virtio'/></interface>`, cfg); err != nil {
		t.Fatal(err)
	}
	dom := definition(t, c, "web")
	if len(dom.Devices.Disks) != 1 || dom.Devices.Disks[0].Source.File.File != "/img/data.qcow2" {
		t.Fatalf("disks %+v", dom.Devices.Disks)
	}
	if len(dom.Devices.Interfaces) != 2 || !strings.HasPrefix(dom.Devices.Interfaces[1].MAC.Address, "52:54:00:") {
		t.Fatalf("interfaces %+v", dom.Devices.Interfaces)
	}
	mac := dom.Devices.Interfaces[1].MAC.Address
	if err := dd.AttachDevice(ctx, "web", `<interface type='user'><mac address='`+mac+`'/></interface>`, cfg); err == nil || !strings.Contains(err.Error(), "network device with mac "+mac+" already exists") {
		t.Errorf("duplicate MAC: %v", err)
	}
	if err := dd.AttachDevice(ctx, "web", disk, backend.Scope{Live: true}); err == nil || !strings.Contains(err.Error(), "domain is not running") {
		t.Errorf("live attach to a shut-off domain: %v", err)
	}
	// Detach: the disk by its source, the interface by its MAC.
	if err := dd.DetachDevice(ctx, "web", `<disk type='file'><target dev='/img/data.qcow2'/></disk>`, cfg); err != nil {
		t.Fatal(err)
	}
	if err := dd.DetachDevice(ctx, "web", `<interface type='network'><mac address='`+strings.ToUpper(mac)+`'/></interface>`, cfg); err != nil {
		t.Fatal(err)
	}
	if err := dd.DetachDevice(ctx, "web", `<disk type='file'><target dev='vdb'/></disk>`, cfg); err == nil || err.Error() != "device not found: no target device vdb" {
		t.Errorf("detach of a missing disk: %v", err)
	}
	dom = definition(t, c, "web")
	if len(dom.Devices.Disks) != 0 || len(dom.Devices.Interfaces) != 1 || dom.Devices.Interfaces[0].MAC.Address == mac {
		t.Fatalf("after detach: %+v", dom.Devices)
	}
}

func definition(t *testing.T, c *Conn, name string) *libvirtxml.Domain {
	t.Helper()
	doc, _, err := c.defs.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		t.Fatal(err)
	}
	return &dom
}

// TestSupervisorDeviceDelWaitsForTheGuest: detach returns once QEMU
// reports the device itself deleted (not its backend), and fails, saying
// why, when the guest never releases it.
func TestSupervisorDeviceDelWaitsForTheGuest(t *testing.T) {
	s, mon, _ := newFakeSupervisor(t, "", "", "")
	done := make(chan error, 1)
	go func() { done <- s.deviceDel("virtio-disk1", 30*time.Second) }()
	for len(mon.sent()) == 0 {
		time.Sleep(time.Millisecond)
	}
	s.handleEvent(ev("DEVICE_DELETED", map[string]any{"path": "/machine/peripheral/virtio-disk1/virtio-backend"}))
	select {
	case err := <-done:
		t.Fatalf("returned at the backend's event: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	s.handleEvent(ev("DEVICE_DELETED", map[string]any{"device": "virtio-disk1", "path": "/machine/peripheral/virtio-disk1"}))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := mon.sent(); len(got) != 1 || got[0] != "device_del" {
		t.Errorf("sent %q", got)
	}
	err := s.deviceDel("net1", 10*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "the guest did not release device 'net1'") {
		t.Errorf("timeout: %v", err)
	}
	if len(s.unplugs) != 0 {
		t.Errorf("waiters left: %v", s.unplugs)
	}
}

// BenchmarkAttachDetachConfig: one op is an attach and a detach of a
// disk with --config (two validated definition writes), beside its
// anchor, two defines of the same domain.
func BenchmarkAttachDetachConfig(b *testing.B) {
	c := openTest(b)
	doc := fmt.Sprintf(smallXML, "web")
	if _, err := c.Domains().Define(ctx, doc, backend.DefineOptions{}); err != nil {
		b.Fatal(err)
	}
	doc, _ = c.Domains().XML(ctx, "web", backend.XMLOptions{Inactive: true}) // with its UUID
	dd := c.Domains().(backend.DomainDevices)
	disk := `<disk type='file'><source file='/img/data.raw'/><target dev='vdb'/></disk>`
	cfg := backend.Scope{Config: true}
	b.Run("attach+detach", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := dd.AttachDevice(ctx, "web", disk, cfg); err != nil {
				b.Fatal(err)
			}
			if err := dd.DetachDevice(ctx, "web", disk, cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("define-x2-anchor", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for j := 0; j < 2; j++ {
				if _, err := c.Domains().Define(ctx, doc, backend.DefineOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
