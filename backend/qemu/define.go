package qemu

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"github.com/virtsh/virtsh/backend/store"
	"github.com/virtsh/virtsh/backend/xmlcheck"
	"libvirt.org/go/libvirtxml"
)

// parseDomain reads a user's domain XML: it must parse, lose nothing
// (libvirtxml drops what it does not know), name the domain validly and
// describe something this driver can run. UUIDs and MAC addresses the
// XML lacks are generated, as libvirt does; what is filled in only adds
// to the user's XML, so the check of what parsing dropped compares it
// with the very text define stores.
func (c *Conn) parseDomain(doc string) (store.Definition, error) {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return store.Definition{}, backend.XMLError("cannot parse the domain XML: %v", err)
	}
	if dom.Name == "" {
		return store.Definition{}, backend.XMLError("missing domain name")
	}
	if err := backend.ValidateName("domain", dom.Name); err != nil {
		return store.Definition{}, err
	}
	normalize(&dom)
	def, err := store.NewDefinition(&dom)
	if err != nil {
		return store.Definition{}, err
	}
	dropped, err := xmlcheck.Dropped(doc, def.XML, "domain/metadata")
	if err != nil {
		return store.Definition{}, backend.XMLError("%v", err)
	}
	if len(dropped) > 0 {
		return store.Definition{}, backend.ConfigUnsupported("the domain XML has elements or attributes virtsh does not know, which would be lost: %s", strings.Join(dropped, ", "))
	}
	if _, err := c.command(&dom); err != nil {
		return store.Definition{}, err
	}
	return def, nil
}

var uuidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
}) // compiled when first used, not at every start

// normalize fills in what libvirt fills in at define time.
func normalize(dom *libvirtxml.Domain) {
	if dom.UUID == "" {
		dom.UUID = backend.NewUUID()
	}
	if dom.OS == nil {
		dom.OS = &libvirtxml.DomainOS{}
	}
	if dom.OS.Type == nil {
		dom.OS.Type = &libvirtxml.DomainOSType{}
	}
	if dom.OS.Type.Type == "" {
		dom.OS.Type.Type = "hvm"
	}
	if dom.OS.Type.Arch == "" {
		dom.OS.Type.Arch = "x86_64"
	}
	if dom.OS.Type.Machine == "" {
		dom.OS.Type.Machine = "pc"
	}
	if dom.Memory != nil && dom.CurrentMemory == nil {
		dom.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: dom.Memory.Value, Unit: dom.Memory.Unit}
	}
	if dom.VCPU == nil {
		dom.VCPU = &libvirtxml.DomainVCPU{Value: 1}
	}
	if dom.Devices == nil {
		dom.Devices = &libvirtxml.DomainDeviceList{}
	}
	for i := range dom.Devices.Interfaces {
		n := &dom.Devices.Interfaces[i]
		if n.MAC == nil {
			n.MAC = &libvirtxml.DomainInterfaceMAC{}
		}
		if n.MAC.Address == "" {
			n.MAC.Address = backend.NewMAC()
		}
	}
}

// validateUUID checks the syntax of a UUID from the XML.
func validateUUID(u string) error {
	if !uuidRE().MatchString(u) {
		return backend.XMLError("malformed uuid element '%s'", u)
	}
	return nil
}

// command builds dom's QEMU command line with this connection's paths.
func (c *Conn) command(dom *libvirtxml.Domain) (*argv.Command, error) {
	bin := ""
	if dom.Devices == nil || dom.Devices.Emulator == "" {
		var err error
		if bin, err = emulator(); err != nil {
			return nil, err
		}
	}
	return argv.Build(dom, argv.Host{Emulator: bin, KVM: dom.Type == "kvm" && kvmUsable()}, c.paths(dom.Name))
}

func (c *Conn) paths(name string) argv.Paths {
	return argv.Paths{
		Monitor: c.runPath(name, ".monitor"),
		Run:     filepath.Join(c.dirs.Run, name),
		NVRAM:   filepath.Join(c.dirs.Lib, "nvram", name+"_VARS.fd"),
	}
}

func (c *Conn) runPath(name, suffix string) string {
	return filepath.Join(c.dirs.Run, name+suffix)
}

// DomainXMLToNative implements backend.NativeConfig: the command line
// virtsh would run for the domain ("qemu-argv").
func (c *Conn) DomainXMLToNative(_ context.Context, format, doc string) (string, error) {
	if format != "qemu-argv" {
		return "", backend.InvalidArgument("unsupported config type %s", format)
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(doc); err != nil {
		return "", backend.XMLError("cannot parse the domain XML: %v", err)
	}
	normalize(&dom)
	cmd, err := c.command(&dom)
	if err != nil {
		return "", err
	}
	return cmd.String() + "\n", nil
}

// DomainXMLFromNative: converting a QEMU command line back is not offered.
func (c *Conn) DomainXMLFromNative(_ context.Context, format, _ string) (string, error) {
	return "", backend.Unsupported("conversion from %s to domain XML", format)
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
