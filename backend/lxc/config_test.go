package lxc

import (
	"strings"
	"testing"
)

const minimal = `<domain type='lxc'>
  <name>web</name>
  <memory unit='KiB'>65536</memory>
  <os><type>exe</type><init>/sbin/init</init></os>
  %s
</domain>`

func withDevices(devs string) string {
	return strings.Replace(minimal, "%s", "<devices>"+devs+"</devices>", 1)
}

func TestParseAccepts(t *testing.T) {
	d, err := parseDomain(withDevices(`
    <filesystem type='mount'><source dir='/srv/web'/><target dir='/'/><readonly/></filesystem>
    <filesystem type='ram'><source usage='1024' units='MiB'/><target dir='/tmp'/></filesystem>
    <filesystem type='bind'><source dir='/data'/><target dir='/mnt/data'/></filesystem>
    <interface type='bridge'><source bridge='br0'/><ip address='10.0.0.2' prefix='24'/><route gateway='10.0.0.1'/></interface>
    <interface type='network'><source network='default'/></interface>
    <console type='pty'/>`))
	if err != nil {
		t.Fatal(err)
	}
	for _, iface := range d.Devices.Interfaces {
		if iface.MAC == nil || !strings.HasPrefix(iface.MAC.Address, "52:54:00:") {
			t.Errorf("no MAC generated: %+v", iface.MAC)
		}
	}
	s := buildSpec(d, "/run/x", "/dev/pts/3")
	if s.Root != "/srv/web" || !s.RootReadOnly || len(s.Mounts) != 2 || s.Mounts[0].Target != "/tmp" || s.Mounts[0].SizeBytes != 1<<30 {
		t.Errorf("spec %+v", s)
	}
	if s.Argv[0] != "/sbin/init" || s.Dir != "/" {
		t.Errorf("spec %+v", s)
	}
	// Without a root filesystem the container shares the host's.
	d, err = parseDomain(strings.Replace(minimal, "%s", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	if s := buildSpec(d, "/run/x", "/dev/pts/3"); s.Root != "/" || len(d.Devices.Consoles) != 1 {
		t.Errorf("root %q consoles %d", s.Root, len(d.Devices.Consoles))
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ xml, want string }{
		{strings.Replace(minimal, "type='lxc'", "type='kvm'", 1), "domain type 'kvm'"},
		{strings.Replace(minimal, "<type>exe</type>", "<type>hvm</type>", 1), "exe"},
		{strings.Replace(minimal, "/sbin/init", "sbin/init", 1), "absolute"},
		{withDevices(`<disk type='file' device='disk'><source file='/x.img'/><target dev='vda'/></disk>`), "disk vda: only disks of type 'block'"},
		{withDevices(`<sound model='ich6'/>`), "devices not supported in containers: sound"},
		{withDevices(`<filesystem type='block'><source dev='/dev/sda'/><target dir='/'/></filesystem>`), "only types mount, bind and ram"},
		{withDevices(`<filesystem type='ram'><source usage='0'/><target dir='/tmp'/></filesystem>`), "needs a size"},
		{withDevices(`<interface type='ethernet'/>`), "'bridge' and 'network'"},
		{withDevices(`<console type='tcp'><source mode='bind' host='0' service='2445'/></console>`), "pty"},
		{strings.Replace(minimal, "%s", "<idmap><uid start='0' target='1000' count='10'/></idmap>", 1), "both"},
		{strings.Replace(minimal, "%s", "<cputune><period>10</period></cputune>", 1), "period"},
		{strings.Replace(minimal, "%s", "<frobnicate/>", 1), "domain/frobnicate"},
		{strings.Replace(minimal, "<memory unit='KiB'>65536</memory>", "", 1), "<memory>"},
	} {
		_, err := parseDomain(c.xml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

func TestMemoryUnits(t *testing.T) {
	for _, c := range []struct {
		v    uint
		unit string
		want uint64
	}{{1, "", 1024}, {1, "MiB", 1 << 20}, {1, "GB", 1e9}, {3, "b", 3}} {
		if got, err := memoryBytes(c.v, c.unit); err != nil || got != c.want {
			t.Errorf("%d %s = %d %v", c.v, c.unit, got, err)
		}
	}
	if _, err := memoryBytes(1, "parsecs"); err == nil {
		t.Error("unknown unit accepted")
	}
}

// TestParseDropsGeneratedTargets: a target name plugging generates (from
// a running container's dumpxml) is blanked out as libvirt does; a name
// the user chose is kept.
func TestParseDropsGeneratedTargets(t *testing.T) {
	d, err := parseDomain(withDevices(`
    <interface type='bridge'><source bridge='br0'/><target dev='veth3'/></interface>
    <interface type='bridge'><source bridge='br0'/><target dev='web0'/></interface>`))
	if err != nil {
		t.Fatal(err)
	}
	if ifs := d.Devices.Interfaces; ifs[0].Target != nil || ifs[1].Target == nil || ifs[1].Target.Dev != "web0" {
		t.Errorf("targets %+v %+v, want none and web0", ifs[0].Target, ifs[1].Target)
	}
}
