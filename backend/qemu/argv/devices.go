package argv

import (
	"fmt"
	"net"
	"strconv"

	"libvirt.org/go/libvirtxml"
)

// usbModels are the USB controller models, by libvirt name.
var usbModels = map[string]string{
	"piix3-uhci": "piix3-usb-uhci", "qemu-xhci": "qemu-xhci", "nec-xhci": "nec-usb-xhci", "ich9-ehci1": "ich9-usb-ehci1",
}

// usbControllerOnce adds the USB controller a USB device needs: the XML's
// model, else piix3-uhci on pc (function 2 of the PIIX3, as libvirt) and
// qemu-xhci on q35.
func (b *builder) usbControllerOnce() error {
	if b.usbController {
		return nil
	}
	b.usbController = true
	model := "piix3-uhci"
	if b.q35 {
		model = "qemu-xhci"
	}
	var a *libvirtxml.DomainAddress
	for _, c := range b.dom.Devices.Controllers {
		if c.Type == "usb" {
			if c.Model == "none" {
				return unsupported("a USB device needs a USB controller, but the controller's model is 'none'")
			}
			if c.Model != "" {
				model = c.Model
			}
			a = c.Address
		}
	}
	driver, ok := usbModels[model]
	if !ok {
		return unsupported("USB controller model '%s' is not supported; use piix3-uhci, qemu-xhci, nec-xhci or ich9-ehci1", model)
	}
	var addr string
	if a == nil && model == "piix3-uhci" && !b.q35 {
		addr = ",bus=pci.0,addr=0x1.0x2"
	} else {
		var err error
		if addr, err = b.pciAddr(a); err != nil {
			return err
		}
	}
	b.controllers = append(b.controllers, "-device", driver+",id=usb"+addr)
	return nil
}

// controllersCheck refuses controllers this driver cannot build and adds
// an explicitly defined USB controller.
func (b *builder) otherControllers() error {
	if b.dom.Devices == nil {
		return nil
	}
	for _, c := range b.dom.Devices.Controllers {
		if c.Index != nil && *c.Index != 0 && c.Type != "pci" {
			return unsupported("only one %s controller (index 0) is supported", c.Type)
		}
		switch c.Type {
		case "pci", "scsi", "sata", "virtio-serial":
		case "ide":
			if b.q35 {
				return unsupported("IDE controllers are unsupported for the q35 machine type")
			}
		case "usb":
			if c.Model != "none" {
				if err := b.usbControllerOnce(); err != nil {
					return err
				}
			}
		default:
			return unsupported("controller type '%s' is not supported", c.Type)
		}
	}
	return nil
}

func (b *builder) inputs() error {
	if b.dom.Devices == nil {
		return nil
	}
	for i, in := range b.dom.Devices.Inputs {
		if (in.Source != nil && (in.Source.Passthrough != nil || in.Source.EVDev != nil)) || in.Driver != nil || (in.Model != "" && in.Model != "virtio") {
			return unsupported("input %d: passthrough and models other than virtio are not supported", i)
		}
		switch in.Bus {
		case "ps2", "":
			if in.Type == "tablet" {
				return unsupported("input %d: a tablet needs bus usb or virtio", i)
			}
			// The machine's own PS/2 keyboard and mouse.
		case "usb":
			if err := b.usbControllerOnce(); err != nil {
				return err
			}
			kind := map[string]string{"tablet": "usb-tablet", "mouse": "usb-mouse", "keyboard": "usb-kbd"}[in.Type]
			if kind == "" {
				return unsupported("input %d: type '%s' is not supported", i, in.Type)
			}
			b.device("-device", fmt.Sprintf("%s,id=input%d,bus=usb.0,port=%d", kind, i, i+1))
		case "virtio":
			kind := map[string]string{"tablet": "virtio-tablet-pci", "mouse": "virtio-mouse-pci", "keyboard": "virtio-keyboard-pci"}[in.Type]
			if kind == "" {
				return unsupported("input %d: type '%s' is not supported", i, in.Type)
			}
			addr, err := b.pciAddr(in.Address)
			if err != nil {
				return err
			}
			b.device("-device", fmt.Sprintf("%s,id=input%d%s", kind, i, addr))
		default:
			return unsupported("input %d: bus '%s' is not supported; use ps2, usb or virtio", i, in.Bus)
		}
	}
	return nil
}

// graphics: VNC, listening on 127.0.0.1 unless told otherwise; autoport
// lets QEMU take the first free display from :0 up (5900, 5901, ...).
func (b *builder) graphics() error {
	if b.dom.Devices == nil {
		return nil
	}
	for i, g := range b.dom.Devices.Graphics {
		v := g.VNC
		if v == nil {
			return unsupported("graphics %d: only VNC graphics are supported", i)
		}
		if i > 0 {
			return unsupported("only one <graphics> device is supported")
		}
		if v.Passwd != "" || v.Keymap != "" || v.WebSocket != 0 || v.SharePolicy != "" || v.PowerControl != "" || v.Wait != "" {
			return unsupported("graphics: VNC passwd, keymap, websocket, sharePolicy, powerControl and wait are not supported")
		}
		if v.Socket != "" {
			b.add("-vnc", "unix:"+commaEscape(v.Socket))
			continue
		}
		listen := v.Listen
		for _, l := range v.Listeners {
			switch {
			case l.Address != nil && l.Address.Address != "":
				listen = l.Address.Address
			case l.Socket != nil:
				b.add("-vnc", "unix:"+commaEscape(l.Socket.Socket))
				return nil
			case l.Network != nil:
				return unsupported("graphics: listen type 'network' is not supported; give an address")
			}
		}
		if listen == "" {
			listen = "127.0.0.1"
		}
		if ip := net.ParseIP(listen); ip != nil && ip.To4() == nil {
			listen = "[" + listen + "]"
		}
		if v.AutoPort == "yes" || v.Port <= 0 {
			b.add("-vnc", listen+":0,to=99")
		} else {
			if v.Port < 5900 {
				return unsupported("graphics: VNC port %d is below 5900", v.Port)
			}
			b.add("-vnc", listen+":"+strconv.Itoa(v.Port-5900))
		}
	}
	return nil
}

var videoModels = map[string]string{
	"vga": "VGA", "cirrus": "cirrus-vga", "qxl": "qxl-vga", "virtio": "virtio-vga", "bochs": "bochs-display",
}

// videos: the primary video card on slot 2 of pc's bus (1 on q35), as
// libvirt; a default VGA card when there are graphics but no <video>.
func (b *builder) videos() error {
	d := b.dom.Devices
	if d == nil {
		return nil
	}
	videos := d.Videos
	if len(videos) == 0 && len(d.Graphics) > 0 {
		videos = []libvirtxml.DomainVideo{{Model: libvirtxml.DomainVideoModel{Type: "vga"}}}
	}
	for i, v := range videos {
		if v.Model.Type == "none" {
			continue
		}
		if i > 0 {
			return unsupported("only one <video> device is supported")
		}
		driver, ok := videoModels[v.Model.Type]
		if !ok {
			return unsupported("video model '%s' is not supported; use vga, cirrus, qxl, virtio, bochs or none", v.Model.Type)
		}
		addr := v.Address
		if addr == nil {
			slot := uint(2)
			if b.q35 {
				slot = 1
			}
			if b.pci.used[slot<<3] {
				return unsupported("PCI slot 0x%x, where the primary video card goes, is taken", slot)
			}
			b.pci.used[slot<<3] = true
			addr = &libvirtxml.DomainAddress{PCI: &libvirtxml.DomainAddressPCI{Bus: new(uint), Slot: &slot, Function: new(uint)}}
		}
		a, err := b.pciAddr(addr)
		if err != nil {
			return err
		}
		extra := ""
		if v.Model.VGAMem != 0 && (driver == "VGA" || driver == "qxl-vga") {
			extra = fmt.Sprintf(",vgamem_mb=%d", v.Model.VGAMem/1024)
		}
		b.device("-device", driver+",id=video0"+extra+a)
	}
	return nil
}

// balloon: a virtio balloon unless <memballoon model='none'/>, as libvirt
// adds one by default; setmem and currentMemory act through it.
func (b *builder) balloon() error {
	mb := &libvirtxml.DomainMemBalloon{Model: "virtio"}
	if b.dom.Devices != nil && b.dom.Devices.MemBalloon != nil {
		mb = b.dom.Devices.MemBalloon
	}
	switch mb.Model {
	case "none":
		return nil
	case "virtio":
	default:
		return unsupported("memballoon model '%s' is not supported; use virtio or none", mb.Model)
	}
	addr, err := b.pciAddr(mb.Address)
	if err != nil {
		return err
	}
	extra := ""
	if mb.AutoDeflate == "on" {
		extra += ",deflate-on-oom=on"
	}
	if mb.FreePageReporting == "on" {
		extra += ",free-page-reporting=on"
	}
	b.device("-device", "virtio-balloon-pci,id=balloon0"+extra+addr)
	return nil
}

func (b *builder) rngs() error {
	if b.dom.Devices == nil {
		return nil
	}
	for i, r := range b.dom.Devices.RNGs {
		if r.Model != "virtio" {
			return unsupported("rng model '%s' is not supported; use virtio", r.Model)
		}
		obj := fmt.Sprintf("objrng%d", i)
		switch be := r.Backend; {
		case be == nil || be.BuiltIn != nil:
			b.device("-object", jsonObject("qom-type", "rng-builtin", "id", obj))
		case be.Random != nil:
			dev := be.Random.Device
			if dev == "" {
				dev = "/dev/urandom"
			}
			b.device("-object", jsonObject("qom-type", "rng-random", "id", obj, "filename", dev))
		default:
			return unsupported("rng backend 'egd' is not supported; use random or builtin")
		}
		extra := ""
		if r.Rate != nil {
			extra = fmt.Sprintf(",max-bytes=%d", r.Rate.Bytes)
			if r.Rate.Period != 0 {
				extra += fmt.Sprintf(",period=%d", r.Rate.Period)
			}
		}
		addr, err := b.pciAddr(r.Address)
		if err != nil {
			return err
		}
		b.device("-device", fmt.Sprintf("virtio-rng-pci,rng=%s,id=rng%d%s%s", obj, i, extra, addr))
	}
	return nil
}

// panics: an ISA pvpanic device reports guest crashes, so on_crash applies.
func (b *builder) panics() error {
	if b.dom.Devices == nil {
		return nil
	}
	for _, p := range b.dom.Devices.Panics {
		if p.Model != "" && p.Model != "isa" {
			return unsupported("panic model '%s' is not supported; use isa", p.Model)
		}
		b.device("-device", "pvpanic")
	}
	return nil
}
