package xmlcheck

import (
	"reflect"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func TestDroppedFindsUnknownParts(t *testing.T) {
	user := `<domain type='kvm'>
  <name>web</name>
  <memory unit='KiB'>1024</memory>
  <bogus>1</bogus>
  <os><type>hvm</type><frobnicate/></os>
  <devices>
    <disk type='file' device='disk' sparkle='yes'>
      <source file='/a.img'/><target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'><source file='/b.img'/><target dev='vdb'/><weird/></disk>
  </devices>
  <metadata><app:x xmlns:app='urn:x' anything='kept'/></metadata>
</domain>`
	var d libvirtxml.Domain
	if err := d.Unmarshal(user); err != nil {
		t.Fatal(err)
	}
	back, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Dropped(user, back, "domain/metadata")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"domain/bogus", "domain/devices/disk/@sparkle", "domain/devices/disk/weird", "domain/os/frobnicate"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Dropped = %q, want %q", got, want)
	}
}

func TestDroppedNothing(t *testing.T) {
	user := `<network><name>n</name><bridge name='br0' stp='on'/><ip address='10.0.0.1' netmask='255.0.0.0'/></network>`
	var n libvirtxml.Network
	if err := n.Unmarshal(user); err != nil {
		t.Fatal(err)
	}
	back, _ := n.Marshal()
	if got, err := Dropped(user, back); err != nil || len(got) != 0 {
		t.Errorf("Dropped = %q, %v", got, err)
	}
}
