package qemu

import (
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/devicexml"
	"libvirt.org/go/libvirtxml"
)

func TestUpdateDiskConfig(t *testing.T) {
	const domXML = `<domain type='qemu'><name>m</name><devices>
  <disk type='file' device='disk'><source file='/d.raw'/><target dev='vda' bus='virtio'/></disk>
  <disk type='file' device='cdrom'><driver name='qemu' type='raw' cache='none'/><source file='/a.iso' startupPolicy='optional'/><target dev='hdc' bus='ide'/><serial>S1</serial>
    <address type='drive' controller='0' bus='1' target='0' unit='0'/></disk>
</devices></domain>`
	for _, tc := range []struct{ disk, source, err string }{
		// What the new XML leaves out keeps its value; the source changes.
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc'/></disk>`, "/b.iso", ""},
		{`<disk type='block' device='cdrom'><source dev='/dev/sr0'/><target dev='hdc' bus='ide'/><serial>S1</serial></disk>`, "/dev/sr0", ""},
		{`<disk type='file' device='cdrom'><target dev='hdc'/></disk>`, "", ""},
		// In the definition a disk's source may change too, as in libvirt.
		{`<disk type='file' device='disk'><source file='/e.raw'/><target dev='vda'/></disk>`, "", ""},
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdz'/></disk>`, "", "invalid argument: target hdz doesn't exist."},
		{`<disk type='file' device='disk'><source file='/b.iso'/><target dev='hdc'/></disk>`, "", "cannot modify field 'device' of the disk"},
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc' bus='sata'/></disk>`, "", "cannot modify field 'bus' of the disk"},
		{`<disk type='file' device='cdrom'><driver cache='unsafe'/><source file='/b.iso'/><target dev='hdc'/></disk>`, "", "cannot modify field 'cache' of the disk"},
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc'/><serial>S2</serial></disk>`, "", "cannot modify field 'serial' of the disk"},
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc'/><address type='drive' controller='0' bus='0' target='0' unit='1'/></disk>`, "", "cannot modify field 'address' of the disk"},
		{`<disk type='file' device='cdrom'><driver error_policy='stop'/><source file='/b.iso'/><target dev='hdc'/></disk>`, "", "cannot modify field 'error_policy' of the disk"},
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc'/><boot order='1'/></disk>`, "", "cannot modify field 'boot order' of the disk"},
		{`<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc'/><transient/></disk>`, "", "cannot modify field 'transient' of the disk"},
	} {
		var dom libvirtxml.Domain
		if err := dom.Unmarshal(domXML); err != nil {
			t.Fatal(err)
		}
		dev, err := devicexml.Parse(tc.disk)
		if err != nil {
			t.Fatal(err)
		}
		err = updateDiskConfig(&dom, dev.Disk)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.disk, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.disk, err)
			continue
		}
		i := devicexml.DiskByTarget(&dom, dev.Disk.Target.Dev)
		got := dom.Devices.Disks[i]
		if tc.source != "" && (got.Source == nil || sourceOf(got) != tc.source) {
			t.Errorf("%s: source %+v, want %s", tc.disk, got.Source, tc.source)
		}
		if dev.Disk.Target.Dev == "hdc" && (got.Driver == nil || got.Driver.Cache != "none" || got.Serial != "S1" || got.Address == nil) {
			t.Errorf("%s: the disk lost what the XML left out: %+v", tc.disk, got)
		}
	}
}

func sourceOf(d libvirtxml.DomainDisk) string {
	if d.Source.Block != nil {
		return d.Source.Block.Dev
	}
	return d.Source.File.File
}

// TestUpdateDeviceConfig: the definition of a shut-off domain gets the
// new medium, validated as define validates it; a refused change leaves
// the definition as it was; devices other than disks are refused by name.
func TestUpdateDeviceConfig(t *testing.T) {
	c := openTest(t)
	doms := c.Domains()
	def := `<domain type='qemu'><name>cd</name><memory unit='MiB'>64</memory><devices>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk></devices></domain>`
	if _, err := doms.Define(ctx, def, backend.DefineOptions{}); err != nil {
		t.Fatal(err)
	}
	u := doms.(backend.DomainDeviceUpdate)
	before, _ := doms.XML(ctx, "cd", backend.XMLOptions{Inactive: true})
	for _, bad := range []struct{ xml, want string }{
		{`<disk type='file' device='cdrom'><driver name='qemu' type='vmdk'/><source file='/a.iso'/><target dev='hdc'/></disk>`, "format 'vmdk' is not supported"},
		{`<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc'/><nonsense/></disk>`, "nonsense"},
		{`<interface type='user'/>`, "unsupported configuration: persistent update of device 'net' is not supported"},
		{`<graphics type='vnc'/>`, "persistent update of device 'graphics' is not supported"},
	} {
		if err := u.UpdateDevice(ctx, "cd", bad.xml, backend.Scope{}, false); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want %q", bad.xml, err, bad.want)
		}
		if after, _ := doms.XML(ctx, "cd", backend.XMLOptions{Inactive: true}); after != before {
			t.Errorf("%s changed the definition:\n%s", bad.xml, after)
		}
	}
	if err := u.UpdateDevice(ctx, "cd", `<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc'/></disk>`, backend.Scope{}, false); err != nil {
		t.Fatal(err)
	}
	if after, _ := doms.XML(ctx, "cd", backend.XMLOptions{Inactive: true}); !strings.Contains(after, `<source file="/a.iso">`) {
		t.Errorf("the medium is not in the definition:\n%s", after)
	}
	if err := u.UpdateDevice(ctx, "cd", `<disk type='file' device='cdrom'><target dev='hdc'/></disk>`, backend.Scope{Live: true}, false); err == nil || !strings.Contains(err.Error(), "domain is not running") {
		t.Errorf("--live on a shut-off domain: %v", err)
	}
}
