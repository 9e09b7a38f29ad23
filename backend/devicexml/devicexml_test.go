package devicexml

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func domain(t *testing.T) *libvirtxml.Domain {
	t.Helper()
	var d libvirtxml.Domain
	err := d.Unmarshal(`<domain type='qemu'><name>d</name><devices>
  <disk type='file' device='disk'><source file='/img/a.raw'/><target dev='vda' bus='virtio'/></disk>
  <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>
</devices></domain>`)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

func mustParse(t *testing.T, doc string) Device {
	t.Helper()
	dev, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

func TestAttachRefusesDuplicates(t *testing.T) {
	d := domain(t)
	err := Attach(d, mustParse(t, `<disk type='file'><source file='/img/b.raw'/><target dev='vda'/></disk>`))
	if err == nil || err.Error() != "Requested operation is not valid: target vda already exists" {
		t.Fatalf("duplicate target: %v", err)
	}
	err = Attach(d, mustParse(t, `<interface type='network'><mac address='52:54:00:00:00:01'/><source network='x'/></interface>`))
	if err == nil || err.Error() != "invalid argument: network device with mac 52:54:00:00:00:01 already exists" {
		t.Fatalf("duplicate MAC: %v", err)
	}
	if len(d.Devices.Disks) != 1 || len(d.Devices.Interfaces) != 1 {
		t.Fatalf("a refused attach changed the domain: %+v", d.Devices)
	}
	if err := Attach(d, mustParse(t, `<disk type='file'><source file='/img/b.raw'/><target dev='vdb'/></disk>`)); err != nil {
		t.Fatal(err)
	}
	if len(d.Devices.Disks) != 2 || d.Devices.Disks[1].Target.Dev != "vdb" {
		t.Fatalf("disk not appended: %+v", d.Devices.Disks)
	}
}

func TestDetachMatchesLikeLibvirt(t *testing.T) {
	d := domain(t)
	// A disk by its source path, as virDomainDiskIndexByName allows.
	if err := Detach(d, mustParse(t, `<disk type='file'><target dev='/img/a.raw'/></disk>`)); err != nil {
		t.Fatal(err)
	}
	if len(d.Devices.Disks) != 0 {
		t.Fatal("disk still there")
	}
	err := Detach(d, mustParse(t, `<disk type='file'><target dev='vdz'/></disk>`))
	if err == nil || err.Error() != "device not found: no target device vdz" {
		t.Fatalf("missing disk: %v", err)
	}
	err = Detach(d, mustParse(t, `<interface type='network'><mac address='52:54:00:00:00:02'/></interface>`))
	if err == nil || err.Error() != "device not found: no device matching MAC address 52:54:00:00:00:02 found" {
		t.Fatalf("missing MAC: %v", err)
	}
	if err := Detach(d, mustParse(t, `<interface type='network'><mac address='52:54:00:00:00:01'/></interface>`)); err != nil {
		t.Fatal(err)
	}
	if len(d.Devices.Interfaces) != 0 {
		t.Fatal("interface still there")
	}
}

func TestParseRefusesWhatItWouldLose(t *testing.T) {
	_, err := Parse(`<disk type='file'><source file='/a'/><target dev='vdb'/><bogus/></disk>`)
	if err == nil || !strings.Contains(err.Error(), "disk/bogus") {
		t.Fatalf("unknown element: %v", err)
	}
	_, err = Parse(`<disk type='file'><source file='/a'/></disk>`)
	if err == nil || !strings.Contains(err.Error(), "missing target information for device /a") {
		t.Fatalf("no target: %v", err)
	}
	_, err = Parse(`<hostdev mode='subsystem'/>`)
	if err == nil || !strings.Contains(err.Error(), "hostdev") {
		t.Fatalf("hostdev: %v", err)
	}
}
