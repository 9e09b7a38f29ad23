package argv

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

func TestPlugDiskReusesStartLayout(t *testing.T) {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(`<domain type='qemu'><name>d</name><os><type machine='pc'>hvm</type></os></domain>`); err != nil {
		t.Fatal(err)
	}
	var d libvirtxml.DomainDisk
	if err := d.Unmarshal(`<disk type='file'><driver name='qemu' type='qcow2' cache='none'/><source file='/img/a,b.qcow2'/><target dev='vdb' bus='virtio'/><serial>x,y</serial></disk>`); err != nil {
		t.Fatal(err)
	}
	p, err := PlugDisk(&dom, &d, 7, PCIUse{Slots: []uint{0, 1, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, b := range p.Blockdevs {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, m["node-name"].(string))
	}
	if !reflect.DeepEqual(nodes, []string{"libvirt-7-storage", "libvirt-7-format"}) {
		t.Errorf("nodes %v", nodes)
	}
	want := map[string]string{"driver": "virtio-blk-pci", "bus": "pci.0", "addr": "0x5", "drive": "libvirt-7-format",
		"id": "virtio-disk1", "write-cache": "on", "serial": "x,y"}
	if !reflect.DeepEqual(p.Device, want) {
		t.Errorf("device %v, want %v", p.Device, want)
	}
	if a := p.XML.Address.PCI; a == nil || *a.Slot != 5 || *a.Bus != 0 {
		t.Errorf("address %+v", p.XML.Address)
	}
	if d.Address != nil {
		t.Error("PlugDisk changed the caller's disk")
	}
	if StorageNode(p.Device["drive"]) != "libvirt-7-storage" {
		t.Errorf("storage node of %s", p.Device["drive"])
	}
	if n, ok := NodeNumber("libvirt-12-storage"); !ok || n != 12 {
		t.Errorf("NodeNumber %d %v", n, ok)
	}
	d.Target.Bus = "ide"
	if _, err := PlugDisk(&dom, &d, 7, PCIUse{}); err == nil || err.Error() != "unsupported configuration: disk bus 'ide' cannot be hotplugged." {
		t.Errorf("ide: %v", err)
	}
	d.Target.Bus = "virtio"
	dom.OS.Type.Machine = "q35"
	if _, err := PlugDisk(&dom, &d, 7, PCIUse{}); err == nil || !strings.Contains(err.Error(), "needs an empty pcie-root-port") {
		t.Errorf("q35 without a free root port: %v", err)
	}
	two, three := uint(2), uint(3)
	dom.Devices = &libvirtxml.DomainDeviceList{Controllers: []libvirtxml.DomainController{
		{Type: "pci", Model: "pcie-root", Index: new(uint)}, {Type: "pci", Model: "pcie-root-port", Index: &two}, {Type: "pci", Model: "pcie-root-port", Index: &three}}}
	p, err = PlugDisk(&dom, &d, 7, PCIUse{FreePorts: []uint{1, 2, 3}}) // pci.1: the port of an unplugged device, not in the XML
	if err != nil {
		t.Fatal(err)
	}
	if p.Device["bus"] != "pci.2" || p.Device["addr"] != "0x0" || *p.XML.Address.PCI.Bus != 2 {
		t.Errorf("q35: device %v, address %+v", p.Device, p.XML.Address.PCI)
	}
}
