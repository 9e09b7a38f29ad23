package qemu

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

const smallXML = `<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>
<devices><interface type='user'><model type='virtio'/></interface></devices></domain>`

func TestDefineGeneratesAndStores(t *testing.T) {
	c := openTest(t)
	info, err := c.Domains().Define(ctx, fmt.Sprintf(smallXML, "web"), backend.DefineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(info.UUID) != 36 || info.State != backend.DomainShutoff || !info.Persistent || info.MaxMemKiB != 65536 {
		t.Errorf("info %+v", info)
	}
	doc, err := c.Domains().XML(ctx, "web", backend.XMLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var dom libvirtxml.Domain
	dom.Unmarshal(doc)
	if mac := dom.Devices.Interfaces[0].MAC.Address; !strings.HasPrefix(mac, "52:54:00:") {
		t.Errorf("generated MAC %q", mac)
	}
	// Redefining keeps the UUID; a second domain may not take it.
	if _, err := c.Domains().Define(ctx, doc, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(doc, "<name>web</name>", "<name>db</name>", 1)
	if _, err := c.Domains().Define(ctx, other, backend.DefineOptions{}); err == nil || !strings.Contains(err.Error(), "domain 'web' is already defined with uuid") {
		t.Errorf("duplicate UUID: %v", err)
	}
	newUUID := strings.Replace(doc, dom.UUID, "11111111-2222-4333-8444-555555555555", 1)
	if _, err := c.Domains().Define(ctx, newUUID, backend.DefineOptions{}); err == nil || !strings.Contains(err.Error(), "already exists with uuid") {
		t.Errorf("new UUID under an existing name: %v", err)
	}
	list, err := c.Domains().List(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "web" {
		t.Errorf("list %+v %v", list, err)
	}
	if err := c.Domains().SetAutostart(ctx, "web", true); err != nil {
		t.Fatal(err)
	}
	if info, _ := c.Domains().LookupByName(ctx, "web"); !info.Autostart {
		t.Error("autostart not recorded")
	}
	if err := c.Domains().Undefine(ctx, "web", backend.UndefineOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Domains().LookupByName(ctx, "web"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("after undefine: %v", err)
	}
	// The UUID is free again.
	if _, err := c.Domains().Define(ctx, other, backend.DefineOptions{}); err != nil {
		t.Errorf("define with the released UUID: %v", err)
	}
}

func TestDefineRefuses(t *testing.T) {
	c := openTest(t)
	kvmDevice = "/nonexistent/kvm" // act out CI's host without KVM
	t.Cleanup(func() { kvmDevice = "/dev/kvm" })
	cases := []struct{ xml, want string }{
		{`<domain type='qemu'><name>a</name><memory>65536</memory><bogus/></domain>`, "domain/bogus"},
		{`<domain type='qemu'><name>a</name><memory>65536</memory><devices><disk type='file' frobnicate='yes'><source file='/x'/><target dev='vda'/></disk></devices></domain>`, "domain/devices/disk/@frobnicate"},
		{`<domain type='kvm'><name>a</name><memory>65536</memory></domain>`, "/dev/kvm"},
		{`<domain type='qemu'><name>a/b</name><memory>65536</memory></domain>`, "must not contain '/'"},
		{`<domain type='qemu'><memory>65536</memory></domain>`, "missing domain name"},
		{`<domain type='qemu'><name>a</name><uuid>nope</uuid><memory>65536</memory></domain>`, "malformed uuid"},
		{`<domain type='qemu'><name>a</name><memory>65536</memory><devices><hostdev mode='subsystem' type='pci'/></devices></domain>`, "<devices/hostdev>"},
		{`<domain`, "cannot parse"},
	}
	for _, tc := range cases {
		_, err := c.Domains().Define(ctx, tc.xml, backend.DefineOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("define %s: %v, want %q", tc.xml, err, tc.want)
		}
	}
	if names, _ := c.defs.Names(); len(names) != 0 {
		t.Errorf("refused definitions were stored: %v", names)
	}
}

func TestToNative(t *testing.T) {
	c := openTest(t)
	out, err := c.DomainXMLToNative(ctx, "qemu-argv", fmt.Sprintf(smallXML, "web"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"LC_ALL=C", "qemu-system-x86_64", "-name guest=web,debug-threads=on", "-accel tcg", "-netdev user,id=hostnet0", "virtio-net-pci"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
	if _, err := c.DomainXMLToNative(ctx, "xen-xl", fmt.Sprintf(smallXML, "web")); err == nil {
		t.Error("xen-xl accepted")
	}
}

func TestSystemURIAsNonRootAndUnsupportedServices(t *testing.T) {
	c := openTest(t)
	if c.nets == nil {
		if _, err := c.Networks().List(ctx); !errors.Is(err, backend.ErrUnsupported) || !strings.Contains(err.Error(), "qemu:///session has no virtual networks") {
			t.Errorf("session networks: %v", err)
		}
	} else if nets, err := c.Networks().List(ctx); err != nil || len(nets) != 0 {
		t.Errorf("system networks (the shared network driver's, none yet): %v %v", nets, err)
	}
	session := &Conn{}
	if _, err := session.Networks().List(ctx); !errors.Is(err, backend.ErrUnsupported) || !strings.Contains(err.Error(), "qemu:///system or network:///system") {
		t.Errorf("session networks: %v", err)
	}
	if session.Interfaces() != nil {
		t.Error("qemu:///session offers host interfaces")
	}
	if _, err := c.Pools().List(ctx); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("pools: %v", err)
	}
	if _, err := c.Snapshots().List(ctx, "x"); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("snapshots: %v", err)
	}
	caps, err := c.Host().Capabilities(ctx)
	if err != nil || !strings.Contains(caps, "<domain type='qemu'") && !strings.Contains(caps, `<domain type="qemu"`) {
		t.Errorf("capabilities: %v\n%s", err, caps)
	}
}
