package xlconfig

import (
	"strconv"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// hvmWithVideo is an HVM guest with VNC graphics and the given <video>.
func hvmWithVideo(t *testing.T, video string) *libvirtxml.Domain {
	t.Helper()
	d := &libvirtxml.Domain{}
	err := d.Unmarshal(`<domain type='xen'><name>h</name><uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid>
<memory>131072</memory><os><type arch='x86_64' machine='xenfv'>hvm</type></os>
<devices><graphics type='vnc' port='-1' autoport='yes'/>` + video + `</devices></domain>`)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestVideoToXL(t *testing.T) {
	for _, c := range []struct{ video, want, refused string }{
		{video: "<video><model type='cirrus' vram='8192' heads='1'/></video>", want: ""},
		{video: "", want: ""},
		{video: "<video><model type='cirrus' vram='32768'/></video>", want: "videoram = 32"},
		{video: "<video><model type='vga' vram='16384'/></video>", want: `vga = "stdvga"`},
		{video: "<video><model type='vga' vram='65536'/></video>", want: "vga = \"stdvga\"\nvideoram = 64"},
		{video: "<video><model type='qxl' vram='131072'/></video>", want: `vga = "qxl"`},
		{video: "<video><model type='none'/></video>", want: `vga = "none"`},
		{video: "<video><model type='vga' vram='8192'/></video>", refused: "videoram must be at least 16MB for stdvga"},
		{video: "<video><model type='virtio'/></video>", refused: "video type virtio is not supported by libxl"},
		{video: "<video><model type='cirrus'/></video><video><model type='vga'/></video>", refused: "one video device, not 2"},
	} {
		cfg, err := ToXL(hvmWithVideo(t, c.video), Options{})
		if c.refused != "" {
			if err == nil || !strings.Contains(err.Error(), c.refused) {
				t.Errorf("%s: %v, want refused with %q", c.video, err, c.refused)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.video, err)
		}
		var got []string
		for _, k := range []string{"vga", "videoram"} {
			if v, ok := cfg.Get(k); ok {
				got = append(got, (&Config{Settings: []Setting{{k, v}}}).Format())
			}
		}
		if g := strings.TrimSpace(strings.Join(got, "")); g != c.want {
			t.Errorf("%s: %q, want %q", c.video, g, c.want)
		}
	}
	pv := hvmWithVideo(t, "<video><model type='vga'/></video>")
	pv.OS.Type = &libvirtxml.DomainOSType{Type: "linux", Machine: "xenpv"}
	if _, err := ToXL(pv, Options{}); err == nil || !strings.Contains(err.Error(), "needs an HVM guest") {
		t.Errorf("a VGA card on a PV guest: %v", err)
	}
}

func TestVideoFromXL(t *testing.T) {
	base := "name = \"h\"\nuuid = \"c7a5fdb2-cdaf-9455-926a-d65c16db1809\"\nbuilder = \"hvm\"\nmemory = 128\n"
	for _, c := range []struct {
		cfg     string
		want    string // type/vram of the one video, "" for none
		refused string
	}{
		{cfg: "vnc = 1\n", want: "cirrus/8192"},
		{cfg: "", want: ""},
		{cfg: "vnc = 1\nvga = \"stdvga\"\n", want: "vga/16384"},
		{cfg: "vnc = 1\nstdvga = 1\nvideoram = 32\n", want: "vga/32768"},
		{cfg: "vga = \"qxl\"\n", want: "qxl/131072"},
		{cfg: "vnc = 1\nvga = \"none\"\n", want: ""},
		{cfg: "vga = \"ati\"\n", refused: "unknown card 'ati'"},
	} {
		parsed, err := Parse(base + c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		d, err := FromXL(parsed)
		if c.refused != "" {
			if err == nil || !strings.Contains(err.Error(), c.refused) {
				t.Errorf("%q: %v, want refused with %q", c.cfg, err, c.refused)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.cfg, err)
		}
		got := ""
		for _, v := range d.Devices.Videos {
			got += v.Model.Type + "/" + strconv.Itoa(int(v.Model.VRam))
		}
		if got != c.want {
			t.Errorf("%q: video %q, want %q", c.cfg, got, c.want)
		}
	}
}
