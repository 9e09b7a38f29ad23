package xlconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// The pairs in testdata/ are libvirt's tests/xlconfigdata (NAME.xml and
// the NAME.cfg libvirt converts it to). Both directions are compared
// semantically: XML after a parse and re-marshal through libvirtxml
// (element by element), xl settings as key/value maps with disk and vif
// entries compared field by field (so positional and named disk
// parameters are equal). What differs is listed here, with the reason;
// anything else failing is a bug.

// cfgToXMLDiffs are the differences of FromXL(NAME.cfg) from NAME.xml:
// "+line" only in ours, "-line" only in libvirt's.
var cfgToXMLDiffs = map[string][]string{
	// libvirt's copy predates the xenbus controller and the Xen balloon
	// that libvirt (since 5.x) adds when it reads a .cfg.
	"test-paravirt-cmdline": {
		`+<controller type="xenbus" index="0"></controller>`,
		`+<memballoon model="xen"></memballoon>`,
	},
	// It predates the xenbus controller too, and loader format='raw'.
	"test-disk-positional-parms-full": {
		`+<controller type="xenbus" index="0"></controller>`,
		`+<loader type="rom" format="raw">/usr/lib/xen/boot/hvmloader</loader>`,
		`-<loader type="rom">/usr/lib/xen/boot/hvmloader</loader>`,
	},
}

// xmlToCfgDiffs are the differences of ToXL(NAME.xml) from NAME.cfg.
var xmlToCfgDiffs = map[string][]string{
	// The .cfg is hand-written input (libvirt tests it .cfg -> .xml only):
	// libvirt writes no type for PV guests, xl's default.
	"test-paravirt-type": {`-type = "pv"`},
	// Hand-written input too: its disks omit backendtype, which libvirt
	// writes from <driver name='qemu'/> (qdisk), as we do.
	"test-disk-positional-parms-full": {
		`+disk[1] = format=qcow2,vdev=hdb,access=rw,backendtype=qdisk,target=/var/lib/libvirt/images/XenGuest2-home`,
		`-disk[1] = format=qcow2,vdev=hdb,access=rw,target=/var/lib/libvirt/images/XenGuest2-home`,
		`+disk[2] = format=raw,vdev=hdc,access=ro,backendtype=qdisk,devtype=cdrom,target=/root/boot.iso`,
		`-disk[2] = format=raw,vdev=hdc,access=ro,devtype=cdrom,target=/root/boot.iso`,
	},
}

const pairsDir = "testdata"

func pairNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(pairsDir, "*.cfg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pairs in %s: %v", pairsDir, err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".cfg"))
	}
	return names
}

func readPair(t *testing.T, name string) (cfgText, xmlText string) {
	t.Helper()
	c, err := os.ReadFile(filepath.Join(pairsDir, name+".cfg"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := os.ReadFile(filepath.Join(pairsDir, name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(c), string(x)
}

// normalXML re-marshals a domain so that two documents compare element by
// element, one element or attribute set per line.
func normalXML(t *testing.T, d *libvirtxml.Domain) []string {
	t.Helper()
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// lineDiff returns "+x" for lines only in got and "-x" for lines only in
// want (as multisets), sorted.
func lineDiff(got, want []string) []string {
	count := map[string]int{}
	for _, l := range got {
		count[l]++
	}
	for _, l := range want {
		count[l]--
	}
	var out []string
	for l, n := range count {
		for ; n > 0; n-- {
			out = append(out, "+"+l)
		}
		for ; n < 0; n++ {
			out = append(out, "-"+l)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func TestPairsCfgToXML(t *testing.T) {
	for _, name := range pairNames(t) {
		t.Run(name, func(t *testing.T) {
			cfgText, xmlText := readPair(t, name)
			cfg, err := Parse(cfgText)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromXL(cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := &libvirtxml.Domain{}
			if err := want.Unmarshal(xmlText); err != nil {
				t.Fatal(err)
			}
			diff := lineDiff(normalXML(t, got), normalXML(t, want))
			if !reflect.DeepEqual(diff, sorted(cfgToXMLDiffs[name])) {
				t.Errorf("differences from libvirt's %s.xml:\n%s\nexpected:\n%s", name, strings.Join(diff, "\n"), strings.Join(cfgToXMLDiffs[name], "\n"))
			}
		})
	}
}

// cfgLines flattens a configuration to "key = value" lines, one per list
// item ("key[i] = item"), disk and vif items normalised by their parsers.
func cfgLines(t *testing.T, c *Config) []string {
	t.Helper()
	var lines []string
	for _, s := range c.Settings {
		if s.Value.Kind != List {
			text := s.Value.Str
			if s.Value.Kind == String {
				text = `"` + text + `"`
			}
			lines = append(lines, s.Key+" = "+text)
			continue
		}
		for i, item := range s.Value.List {
			text := item.Str
			switch s.Key {
			case "disk":
				d, err := ParseDisk(item.Str)
				if err != nil {
					t.Fatal(err)
				}
				text = d.String()
			case "vif":
				v, err := ParseVif(item.Str)
				if err != nil {
					t.Fatal(err)
				}
				text = v.String()
			}
			lines = append(lines, s.Key+"["+strconv.Itoa(i)+"] = "+text)
		}
	}
	return lines
}

func TestPairsXMLToCfg(t *testing.T) {
	for _, name := range pairNames(t) {
		t.Run(name, func(t *testing.T) {
			cfgText, xmlText := readPair(t, name)
			dom := &libvirtxml.Domain{}
			if err := dom.Unmarshal(xmlText); err != nil {
				t.Fatal(err)
			}
			got, err := ToXL(dom, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := Parse(cfgText)
			if err != nil {
				t.Fatal(err)
			}
			diff := lineDiff(cfgLines(t, got), cfgLines(t, want))
			if !reflect.DeepEqual(diff, sorted(xmlToCfgDiffs[name])) {
				t.Errorf("differences from libvirt's %s.cfg:\n%s\nexpected:\n%s\nours:\n%s", name, strings.Join(diff, "\n"), strings.Join(xmlToCfgDiffs[name], "\n"), got.Format())
			}
		})
	}
}
