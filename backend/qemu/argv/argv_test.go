package argv

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

var update = flag.Bool("update", false, "rewrite testdata/*.args from the generated command lines")

func testHost() Host {
	return Host{
		Emulator: "/usr/bin/qemu-system-x86_64",
		Firmware: func() (string, string, error) {
			return "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", nil
		},
	}
}

func testPaths(name string) Paths {
	return Paths{
		Monitor: "/run/virtsh/qemu/" + name + ".monitor",
		Run:     "/run/virtsh/qemu/" + name,
		NVRAM:   "/var/lib/virtsh/qemu/nvram/" + name + "_VARS.fd",
	}
}

func parse(t *testing.T, xml string) *libvirtxml.Domain {
	t.Helper()
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(xml); err != nil {
		t.Fatal(err)
	}
	return &dom
}

// TestGolden converts every testdata/*.xml and compares the command line
// with testdata/*.args (libvirt's layout; run with -update to rewrite).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) < 4 {
		t.Fatalf("expected the golden inputs, found %v", files)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".xml")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dom := parse(t, string(b))
			cmd, err := Build(dom, testHost(), testPaths(dom.Name))
			if err != nil {
				t.Fatal(err)
			}
			got := cmd.Lines()
			golden := strings.TrimSuffix(f, ".xml") + ".args"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("command line differs from %s:\n%s", golden, lineDiff(string(want), got))
			}
		})
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "- "+a, "+ "+b)
		}
	}
	return strings.Join(out, "\n")
}

func TestRecordsNames(t *testing.T) {
	b, _ := os.ReadFile("testdata/q35-full.xml")
	cmd, err := Build(parse(t, string(b)), testHost(), testPaths("q35-test"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmd.Disks) != 3 || cmd.Disks[0].Target != "vda" || cmd.Disks[0].Node != "libvirt-3-format" || cmd.Disks[2].Device != "scsi0-0-0-1" {
		t.Errorf("disks: %+v", cmd.Disks)
	}
	if len(cmd.Taps) != 1 || cmd.Taps[0] != (Tap{Index: 1, Bridge: "br0", MAC: "52:54:00:44:55:66", Dev: "vnet7", MTU: 9000}) {
		t.Errorf("taps: %+v", cmd.Taps)
	}
	if len(cmd.NICs) != 2 || cmd.NICs[1].Netdev != "hostnet1" {
		t.Errorf("nics: %+v", cmd.NICs)
	}
	want := []Chardev{
		{Alias: "serial0", ID: "charserial0", Type: "pty"},
		{Alias: "channel0", ID: "charchannel0", Type: "unix", Path: "/run/virtsh/qemu/q35-test/org.qemu.guest_agent.0.sock", Name: "org.qemu.guest_agent.0"},
	}
	if len(cmd.Chardevs) != 2 || cmd.Chardevs[0] != want[0] || cmd.Chardevs[1] != want[1] {
		t.Errorf("chardevs: %+v", cmd.Chardevs)
	}
}

// TestNetworkInterface: an interface of type network is a tap QEMU gets
// as a file descriptor, plugged into the network by the supervisor.
func TestNetworkInterface(t *testing.T) {
	xml := domXML("qemu", "pc", `<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/><model type='virtio'/></interface>`, "")
	cmd, err := Build(parse(t, xml), testHost(), testPaths("x"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmd.Taps) != 1 || cmd.Taps[0] != (Tap{Index: 0, Network: "default", MAC: "52:54:00:00:00:01"}) {
		t.Errorf("taps: %+v", cmd.Taps)
	}
	if !strings.Contains(cmd.String(), "-netdev tap,fd=3,id=hostnet0") {
		t.Errorf("no tap netdev in %s", cmd.String())
	}
}

const base = `<domain type='%TYPE%'><name>x</name><memory>65536</memory>
<os><type machine='%MACHINE%'>hvm</type></os><devices>%DEVICES%</devices>%EXTRA%</domain>`

func domXML(typ, machine, devices, extra string) string {
	r := strings.NewReplacer("%TYPE%", typ, "%MACHINE%", machine, "%DEVICES%", devices, "%EXTRA%", extra)
	return r.Replace(base)
}

// TestRefusals: XML the driver cannot honour fails with an error naming
// the element and the way out.
func TestRefusals(t *testing.T) {
	disk := `<disk type='file'><source file='/x.img'/><target dev='%s' bus='%s'/></disk>`
	cases := []struct{ name, xml, want string }{
		{"kvm without /dev/kvm", domXML("kvm", "pc", "", ""), "/dev/kvm"},
		{"xen domain", domXML("xen", "pc", "", ""), "domain type 'xen'"},
		{"unknown machine", domXML("qemu", "virt", "", ""), "machine type 'virt'"},
		{"hostdev", domXML("qemu", "pc", `<hostdev mode='subsystem' type='pci'/>`, ""), "<devices/hostdev>"},
		{"several", domXML("qemu", "pc", `<sound model='ich9'/><watchdog model='i6300esb'/>`, "<cputune/>"), "<cputune>, <devices/sound>, <devices/watchdog>; remove them"},
		{"network interface without network", domXML("qemu", "pc", `<interface type='network'><mac address='52:54:00:00:00:01'/><source network=''/></interface>`, ""), "names no network"},
		{"nic model", domXML("qemu", "pc", `<interface type='user'><mac address='52:54:00:00:00:01'/><model type='ne2k_pci'/></interface>`, ""), "NIC model 'ne2k_pci'"},
		{"interface vlan", domXML("qemu", "pc", `<interface type='user'><mac address='52:54:00:00:00:01'/><vlan><tag id='4'/></vlan></interface>`, ""), "vlan"},
		{"ide on q35", domXML("qemu", "q35", strings.ReplaceAll(strings.Replace(disk, "%s", "hda", 1), "%s", "ide"), ""), "IDE controllers are unsupported for the q35"},
		{"usb disk", domXML("qemu", "pc", strings.Replace(strings.Replace(disk, "%s", "sda", 1), "%s", "usb", 1), ""), "bus 'usb'"},
		{"vmdk", domXML("qemu", "pc", `<disk type='file'><driver name='qemu' type='vmdk'/><source file='/x'/><target dev='vda'/></disk>`, ""), "format 'vmdk'"},
		{"disk iotune", domXML("qemu", "pc", `<disk type='file'><source file='/x'/><target dev='vda'/><iotune><total_bytes_sec>1</total_bytes_sec></iotune></disk>`, ""), "iotune"},
		{"network disk", domXML("qemu", "pc", `<disk type='network'><source protocol='nbd' name='x'><host name='h'/></source><target dev='vda'/></disk>`, ""), "only file and block disks"},
		{"native io", domXML("qemu", "pc", `<disk type='file'><driver name='qemu' io='native'/><source file='/x'/><target dev='vda'/></disk>`, ""), "io='native' needs cache='none'"},
		{"host-passthrough on tcg", domXML("qemu", "pc", "", `<cpu mode='host-passthrough'/>`), "host-passthrough"},
		{"spice", domXML("qemu", "pc", `<graphics type='spice'/>`, ""), "only VNC"},
		{"vnc password", domXML("qemu", "pc", `<graphics type='vnc' passwd='x'/>`, ""), "VNC passwd"},
		{"bad lifecycle", domXML("qemu", "pc", "", "<on_crash>coredump-destroy</on_crash>"), "<on_crash>coredump-destroy</on_crash>"},
		{"pci bus missing", domXML("qemu", "pc", `<interface type='user'><mac address='52:54:00:00:00:01'/><address type='pci' bus='0x05' slot='0x01'/></interface>`, ""), "PCI bus 5"},
		{"topology mismatch", domXML("qemu", "pc", "", `<vcpu>4</vcpu><cpu><topology sockets='1' cores='2' threads='1'/></cpu>`), "does not match 4 vCPUs"},
		{"readonly sata", domXML("qemu", "pc", `<disk type='file'><source file='/x'/><target dev='sda' bus='sata'/><readonly/></disk>`, ""), "cannot make sata disks read-only"},
		{"socket path too long", domXML("qemu", "pc", `<channel type='unix'><source mode='bind' path='/`+strings.Repeat("d", 107)+`'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>`, ""), "is 108 bytes long, a unix socket's is at most 107"},
		{"tablet on ps2", domXML("qemu", "pc", `<input type='tablet' bus='ps2'/>`, ""), "tablet needs bus usb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Build(parse(t, c.xml), testHost(), testPaths("x"))
			if err == nil {
				t.Fatalf("accepted:\n%s", c.xml)
			}
			if !strings.Contains(err.Error(), c.want) || backend.CodeOf(err) != backend.CodeUnsupported {
				t.Errorf("error %q (code %s), want it to mention %q", err, backend.CodeOf(err), c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestKVMWhenAvailable(t *testing.T) {
	h := testHost()
	h.KVM = true
	cmd, err := Build(parse(t, domXML("kvm", "pc", "", `<cpu mode='host-passthrough'/>`)), h, testPaths("x"))
	if err != nil {
		t.Fatal(err)
	}
	s := cmd.String()
	if !strings.Contains(s, "-accel kvm") || !strings.Contains(s, "-cpu host") {
		t.Errorf("kvm command line: %s", s)
	}
}

func TestMissingOVMF(t *testing.T) {
	old := fileExists
	fileExists = func(string) bool { return false }
	defer func() { fileExists = old }()
	_, err := Build(parse(t, strings.Replace(domXML("qemu", "q35", "", ""), "<os>", "<os firmware='efi'>", 1)), Host{Emulator: "/bin/true"}, testPaths("x"))
	if err == nil || !strings.Contains(err.Error(), "Debian package ovmf") {
		t.Errorf("err = %v", err)
	}
}

func TestKiB(t *testing.T) {
	for _, c := range []struct {
		v    uint64
		unit string
		want uint64
	}{{1, "GiB", 1 << 20}, {2048, "", 2048}, {512, "MiB", 524288}, {1000000, "KB", 976563}, {1048576, "bytes", 1024}} {
		if got, err := KiB(c.v, c.unit); err != nil || got != c.want {
			t.Errorf("KiB(%d, %q) = %d, %v; want %d", c.v, c.unit, got, err, c.want)
		}
	}
	if _, err := KiB(1, "furlongs"); err == nil {
		t.Error("unknown unit accepted")
	}
}

func TestDiskIndex(t *testing.T) {
	for target, want := range map[string]int{"vda": 0, "sdb": 1, "hdz": 25, "vdaa": 26, "sdab": 27} {
		if got, ok := DiskIndex(target); !ok || got != want {
			t.Errorf("DiskIndex(%s) = %d, %v; want %d", target, got, ok, want)
		}
	}
	if _, ok := DiskIndex("nvme0"); ok {
		t.Error("nvme0 accepted")
	}
}
