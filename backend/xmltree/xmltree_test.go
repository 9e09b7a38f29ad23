package xmltree

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

const doc = `<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <!-- a comment -->
  <name>web &amp; db</name>
  <devices>
    <disk type="file" device="cdrom"><target dev="hdc"/></disk>
    <disk type="file" device="disk"/>
  </devices>
  <qemu:commandline><qemu:arg value="-s"/></qemu:commandline>
</domain>`

// Parsed as written, a document prints back as libxml2 prints it: the
// same elements, attributes (double-quoted), text, comments and
// whitespace.
func TestRawRoundTrip(t *testing.T) {
	e, err := Parse([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(doc, "'", `"`)
	if got := e.String(); got != want {
		t.Errorf("printed back:\n%s\nwant:\n%s", got, want)
	}
	if c := e.Child("qemu:commandline"); c == nil || len(c.Children("qemu:arg")) != 1 {
		t.Errorf("the prefixed element is not found by its written name")
	}
	disks := e.Child("devices").Children("disk")
	if len(disks) != 2 {
		t.Fatalf("%d disks", len(disks))
	}
	if dev, _ := disks[0].Attr("device"); dev != "cdrom" || e.Child("devices").Index(disks[1]) != 3 {
		t.Errorf("attr %q, index %d", dev, e.Child("devices").Index(disks[1]))
	}
	disks[1].SetAttr("device", "floppy")
	disks[1].SetAttr("snapshot", "no")
	if got := disks[1].String(); got != `<disk type="file" device="floppy" snapshot="no"/>` {
		t.Errorf("after SetAttr: %s", got)
	}
}

// Resolved, names carry their namespace, and an element's text is its
// own character data.
func TestResolved(t *testing.T) {
	e, err := Parse([]byte(doc), true)
	if err != nil {
		t.Fatal(err)
	}
	cl := e.Child("http://libvirt.org/schemas/domain/qemu/1.0:commandline")
	if cl == nil || cl.Name != (xml.Name{Space: "http://libvirt.org/schemas/domain/qemu/1.0", Local: "commandline"}) {
		t.Errorf("resolved name: %+v", cl)
	}
	if got := e.Child("name").Text(); got != "web & db" {
		t.Errorf("text %q", got)
	}
	if n := len(e.Elements()); n != 3 {
		t.Errorf("%d child elements, want 3", n)
	}
	if _, err := Parse([]byte("<a><b></a>"), true); err == nil {
		t.Error("mismatched tags accepted when resolving")
	}
	if _, err := Parse([]byte("  "), false); err != io.ErrUnexpectedEOF {
		t.Errorf("empty document: %v", err)
	}
}
