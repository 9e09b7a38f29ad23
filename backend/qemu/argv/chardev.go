package argv

import (
	"fmt"
	"path/filepath"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// chardev returns QEMU's -chardev value for a libvirt character device
// source, and records it.
func (b *builder) chardev(src *libvirtxml.DomainChardevSource, id, alias, name, defaultPath string) (string, error) {
	c := Chardev{Alias: alias, ID: id, Name: name}
	var opt string
	switch {
	case src == nil || src.Pty != nil:
		c.Type = "pty"
		opt = "pty,id=" + id
	case src.File != nil:
		c.Type, c.Path = "file", src.File.Path
		opt = fmt.Sprintf("file,id=%s,path=%s", id, commaEscape(src.File.Path))
		if src.File.Append == "on" {
			opt += ",append=on"
		}
	case src.UNIX != nil:
		c.Type, c.Path = "unix", src.UNIX.Path
		if c.Path == "" {
			c.Path = defaultPath
		}
		if c.Path == "" {
			return "", unsupported("%s: a unix socket source needs a path", alias)
		}
		if len(c.Path) >= maxSocketPath {
			return "", unsupported("%s: the socket path %s is %d bytes long, a unix socket's is at most %d: give the %s a shorter <source path=.../>, or move virtsh's directories to a shorter VIRTSH_ROOT",
				alias, c.Path, len(c.Path), maxSocketPath-1, strings.TrimRight(alias, "0123456789"))
		}
		opt = fmt.Sprintf("socket,id=%s,path=%s", id, commaEscape(c.Path))
		if src.UNIX.Mode != "connect" {
			opt += ",server=on,wait=off"
		}
	case src.Null != nil:
		c.Type = "null"
		opt = "null,id=" + id
	default:
		return "", unsupported("%s: only pty, file, unix and null sources are supported", alias)
	}
	b.cmd.Chardevs = append(b.cmd.Chardevs, c)
	return opt, nil
}

// maxSocketPath is the size of sockaddr_un's sun_path: a unix socket's
// path, with its terminating NUL, must fit.
const maxSocketPath = 108

// chardevs: serial ports (isa-serial), the console (serial0, or a
// virtio console), and virtio channels such as the guest agent's.
func (b *builder) chardevs() error {
	d := b.dom.Devices
	if d == nil {
		return nil
	}
	serials := d.Serials
	for i, c := range d.Consoles {
		if c.Target == nil || c.Target.Type == "" || c.Target.Type == "serial" {
			if i == 0 && len(serials) == 0 {
				// libvirt makes the first console the first serial port.
				serials = []libvirtxml.DomainSerial{{Source: c.Source, Log: c.Log, Protocol: c.Protocol}}
			}
			continue
		}
		if c.Target.Type != "virtio" {
			return unsupported("console target type '%s' is not supported; use serial or virtio", c.Target.Type)
		}
		if err := b.virtioSerialOnce(); err != nil {
			return err
		}
		id := fmt.Sprintf("charconsole%d", i)
		opt, err := b.chardev(c.Source, id, fmt.Sprintf("console%d", i), "", "")
		if err != nil {
			return err
		}
		b.device("-chardev", opt, "-device", fmt.Sprintf("virtconsole,chardev=%s,id=console%d", id, i))
	}
	for i, s := range serials {
		if s.Log != nil || s.Protocol != nil {
			return unsupported("serial %d: <log> and <protocol> are not supported", i)
		}
		if s.Target != nil && s.Target.Type != "" && s.Target.Type != "isa-serial" {
			return unsupported("serial %d: target type '%s' is not supported; use isa-serial", i, s.Target.Type)
		}
		id := fmt.Sprintf("charserial%d", i)
		opt, err := b.chardev(s.Source, id, fmt.Sprintf("serial%d", i), "", "")
		if err != nil {
			return err
		}
		b.device("-chardev", opt, "-device", fmt.Sprintf("isa-serial,chardev=%s,id=serial%d,index=%d", id, i, i))
	}
	for i, c := range d.Channels {
		if c.Target == nil || c.Target.VirtIO == nil {
			return unsupported("channel %d: only virtio channels are supported", i)
		}
		if err := b.virtioSerialOnce(); err != nil {
			return err
		}
		name := c.Target.VirtIO.Name
		id := fmt.Sprintf("charchannel%d", i)
		def := ""
		if name != "" {
			def = filepath.Join(b.paths.Run, name+".sock")
		}
		opt, err := b.chardev(c.Source, id, fmt.Sprintf("channel%d", i), name, def)
		if err != nil {
			return err
		}
		dev := fmt.Sprintf("virtserialport,bus=virtio-serial0.0,nr=%d,chardev=%s,id=channel%d", i+1, id, i)
		if name != "" {
			dev += ",name=" + commaEscape(name)
		}
		b.device("-chardev", opt, "-device", dev)
	}
	return nil
}

func (b *builder) virtioSerialOnce() error {
	if b.virtioSerial {
		return nil
	}
	b.virtioSerial = true
	var a *libvirtxml.DomainAddress
	for _, c := range b.dom.Devices.Controllers {
		if c.Type == "virtio-serial" {
			a = c.Address
		}
	}
	addr, err := b.pciAddr(a)
	if err != nil {
		return err
	}
	b.controllers = append(b.controllers, "-device", "virtio-serial-pci,id=virtio-serial0"+addr)
	return nil
}
