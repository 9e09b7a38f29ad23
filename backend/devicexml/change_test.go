package devicexml

import (
	"errors"
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

func TestScope(t *testing.T) {
	cases := []struct {
		s                   backend.Scope
		running, persistent bool
		live, config        bool
		err                 string
	}{
		{backend.Scope{}, true, true, true, false, ""},
		{backend.Scope{}, false, true, false, true, ""},
		{backend.Scope{Live: true}, false, true, false, false, "domain is not running"},
		{backend.Scope{Config: true}, true, false, false, false, "transient"},
		{backend.Scope{Live: true, Config: true}, true, true, true, true, ""},
		{backend.Scope{}, true, false, true, false, ""},
	}
	for _, c := range cases {
		live, config, err := Scope(c.s, c.running, c.persistent)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: err %v, want %q", c, err, c.err)
			}
			continue
		}
		if err != nil || live != c.live || config != c.config {
			t.Errorf("%+v: got %v %v %v", c, live, config, err)
		}
	}
}

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
