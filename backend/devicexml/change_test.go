package devicexml

import (
	"errors"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// A change whose live part fails writes no definition; one whose
// definition is refused touches nothing running.
func TestChangeOrder(t *testing.T) {
	var plugged, written bool
	reset := func() { plugged, written = false, false }
	ch := Change{Live: true, Config: true,
		Definition: func() (string, error) { return "def", nil },
		Plug:       func() error { plugged = true; return errors.New("plug failed") },
		Write:      func(string) error { written = true; return nil },
	}
	if err := ch.Apply(); err == nil || !plugged || written {
		t.Errorf("failed plug: err %v plugged %v written %v", err, plugged, written)
	}
	reset()
	ch.Definition = func() (string, error) { return "", errors.New("refused") }
	ch.Plug = func() error { plugged = true; return nil }
	if err := ch.Apply(); err == nil || plugged || written {
		t.Errorf("refused definition: err %v plugged %v written %v", err, plugged, written)
	}
	reset()
	ch.Definition = func() (string, error) { return "def", nil }
	if err := ch.Apply(); err != nil || !plugged || !written {
		t.Errorf("good change: err %v plugged %v written %v", err, plugged, written)
	}
}

func TestEditValidates(t *testing.T) {
	doc := `<domain type="lxc"><name>a</name></domain>`
	refuse := func(string) (string, error) { return "", backend.ConfigUnsupported("no") }
	if _, err := Edit(doc, func(*libvirtxml.Domain) error { return nil }, refuse); err == nil {
		t.Error("Edit ignored the parser's refusal")
	}
	out, err := Edit(doc, func(d *libvirtxml.Domain) error { d.Name = "b"; return nil }, func(s string) (string, error) { return s, nil })
	if err != nil || !strings.Contains(out, "<name>b</name>") {
		t.Errorf("Edit: %v %s", err, out)
	}
}
