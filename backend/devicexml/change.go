package devicexml

import (
	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// Edit returns the definition doc changed by edit and then checked by
// parse, the driver's define-time parser (which returns the definition
// as it would store it), so that an edit yields nothing define refuses.
func Edit(doc string, edit func(*libvirtxml.Domain) error, parse func(string) (string, error)) (string, error) {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return "", backend.XMLError("%v", err)
	}
	if err := edit(&dom); err != nil {
		return "", err
	}
	out, err := dom.Marshal()
	if err != nil {
		return "", backend.Internal("%v", err)
	}
	return parse(out)
}

// Change is one device change of a domain whose lock the caller holds.
type Change struct {
	Live, Config bool
	// Definition is the edited persistent definition (Edit), built before
	// anything changes; Plug changes the running domain; Write stores the
	// definition.
	Definition func() (string, error)
	Plug       func() error
	Write      func(string) error
}

// Apply makes the change in libvirt's order: the edited definition is
// built and checked first, then the running domain is changed, and only
// then is the definition written, so that a refused change leaves both
// as they were.
func (c Change) Apply() error {
	var def string
	var err error
	if c.Config {
		if def, err = c.Definition(); err != nil {
			return err
		}
	}
	if c.Live {
		if err := c.Plug(); err != nil {
			return err
		}
	}
	if c.Config {
		return c.Write(def)
	}
	return nil
}
