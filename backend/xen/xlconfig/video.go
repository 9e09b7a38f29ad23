package xlconfig

import (
	"fmt"

	"libvirt.org/go/libvirtxml"
)

// HVM guests get one emulated graphics card from the device model:
// xl's vga= (libxl's vga.kind) and videoram= (MiB). libvirt's libxl
// driver maps <video> onto them (libxlMakeVideo); libvirt's xl converter
// writes neither, which the test pairs keep: a cirrus card of 8 MiB, the
// card libvirt adds to HVM guests with graphics, is libxl's default and
// is written as nothing.

// hvmCard is one card libxl emulates: its vga= name, its default and
// least video memory (libxl's, for QEMU upstream) in KiB.
type hvmCard struct {
	vga               string
	defaultKiB, least uint
}

var hvmCards = map[string]hvmCard{
	"cirrus": {"cirrus", 8 << 10, 8 << 10},
	"vga":    {"stdvga", 16 << 10, 16 << 10},
	"xen":    {"stdvga", 16 << 10, 16 << 10}, // libvirt's libxl driver takes xen as stdvga on HVM
	"qxl":    {"qxl", 128 << 10, 128 << 10},
}

// video writes the HVM card of <video>; PV and PVH guests have a Xen
// framebuffer (vfb) at most.
func (w *writer) video() error {
	vs := w.devices().Videos
	if len(vs) == 0 {
		return nil
	}
	if len(vs) > 1 {
		return fmt.Errorf("unsupported configuration: Xen guests have one video device, not %d", len(vs))
	}
	m := vs[0].Model
	if !w.hvm {
		if m.Type != "xen" {
			return fmt.Errorf("unsupported configuration: video model '%s' needs an HVM guest: a %s guest has the Xen framebuffer (model 'xen')", m.Type, w.kind)
		}
		return nil
	}
	if m.Type == "none" {
		w.str("vga", "none")
		return nil
	}
	card, ok := hvmCards[m.Type]
	if !ok {
		return fmt.Errorf("unsupported configuration: video type %s is not supported by libxl (use cirrus, vga, qxl or none)", m.Type)
	}
	if m.Heads > 1 {
		return fmt.Errorf("unsupported configuration: libxl's %s card has one head, not %d", card.vga, m.Heads)
	}
	if m.VRam != 0 && m.VRam < card.least {
		return fmt.Errorf("unsupported configuration: videoram must be at least %dMB for %s", card.least>>10, card.vga)
	}
	if card.vga != "cirrus" {
		w.str("vga", card.vga)
	}
	if m.VRam != 0 && m.VRam != card.defaultKiB {
		w.num("videoram", int64(m.VRam>>10))
	}
	return nil
}

// video reads vga= and videoram= (and xl's older stdvga=1) of an HVM
// guest into its <video>; a guest with graphics and neither gets
// libxl's default cirrus card, as libvirt adds it.
func (r *reader) video() (*libvirtxml.DomainVideoModel, error) {
	vga, set := r.cfg.String("vga")
	if !set {
		std, err := r.flag("stdvga", false)
		if err != nil {
			return nil, err
		}
		vga, set = "cirrus", std
		if std {
			vga = "stdvga"
		}
	}
	if !set && len(r.dom.Devices.Graphics) == 0 {
		return nil, nil
	}
	model := map[string]string{"cirrus": "cirrus", "stdvga": "vga", "qxl": "qxl", "none": ""}
	typ, ok := model[vga]
	if !ok {
		return nil, fmt.Errorf("config value vga was malformed: unknown card '%s' (cirrus, stdvga, qxl or none)", vga)
	}
	if typ == "" {
		return nil, nil
	}
	mib, err := r.cfg.Uint("videoram", uint64(hvmCards[typ].defaultKiB>>10))
	if err != nil {
		return nil, err
	}
	return &libvirtxml.DomainVideoModel{Type: typ, VRam: uint(mib << 10), Heads: 1, Primary: "yes"}, nil
}
