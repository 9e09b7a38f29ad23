package argv

import (
	"path/filepath"
	"strconv"
)

// ovmfPairs are the UEFI firmware files Debian's ovmf package installs,
// code and variables template, preferred first.
var ovmfPairs = [][2]string{
	{"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"},
	{"/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
}

// FindOVMF returns the installed UEFI firmware.
func FindOVMF() (code, vars string, err error) {
	for _, p := range ovmfPairs {
		if fileExists(p[0]) && fileExists(p[1]) {
			return p[0], p[1], nil
		}
	}
	return "", "", unsupported("UEFI firmware requested but OVMF is not installed (Debian package ovmf)")
}

// firmware: BIOS by default (QEMU's SeaBIOS), a ROM loader with -bios,
// UEFI as two pflash drives: OVMF's code read-only and the domain's own
// copy of the variables.
func (b *builder) firmware() error {
	os := b.dom.OS
	if os == nil {
		return nil
	}
	if os.Firmware != "" && os.Firmware != "efi" && os.Firmware != "bios" {
		return unsupported("firmware '%s' is not supported; use bios or efi", os.Firmware)
	}
	loader := os.Loader
	if loader != nil && loader.Type == "rom" {
		b.add("-bios", loader.Path)
		return nil
	}
	efi := os.Firmware == "efi" || (loader != nil && (loader.Type == "pflash" || loader.Path != ""))
	if !efi {
		return nil
	}
	if loader != nil && loader.Secure == "yes" {
		return unsupported("secure boot (<loader secure='yes'>) is not supported")
	}
	find := b.host.Firmware
	if find == nil {
		find = FindOVMF
	}
	code, template := "", ""
	if loader != nil && loader.Path != "" {
		code = loader.Path
	}
	if code == "" || os.NVRam == nil || os.NVRam.Template == "" {
		c, t, err := find()
		if err != nil {
			return err
		}
		if code == "" {
			code = c
		}
		template = t
	}
	vars := b.paths.NVRAM
	if os.NVRam != nil {
		if os.NVRam.Template != "" {
			template = os.NVRam.Template
		}
		if os.NVRam.NVRam != "" {
			vars = os.NVRam.NVRam
		}
		if os.NVRam.Source != nil {
			return unsupported("<nvram> with a <source> is not supported; give the variables file's path as the element's text")
		}
	}
	if loader != nil && loader.Stateless == "yes" {
		b.add("-drive", "if=pflash,format=raw,unit=0,readonly=on,file="+commaEscape(code))
		return nil
	}
	b.cmd.NVRAM, b.cmd.NVRAMTemplate = vars, template
	b.add("-drive", "if=pflash,format=raw,unit=0,readonly=on,file="+commaEscape(code),
		"-drive", "if=pflash,format=raw,unit=1,file="+commaEscape(filepath.Clean(vars)))
	return nil
}

// boot turns <os><boot dev=.../> into bootindex properties, as libvirt
// does: the first disk, cdrom or interface of each listed kind, in order.
// Per-device <boot order='N'/> elements are used as they are.
func (b *builder) boot() error {
	d := b.dom.Devices
	var devs []string
	menu := ""
	if b.dom.OS != nil {
		for _, bd := range b.dom.OS.BootDevices {
			devs = append(devs, bd.Dev)
		}
		if m := b.dom.OS.BootMenu; m != nil && m.Enable != "" {
			menu = ",menu=" + map[bool]string{true: "on", false: "off"}[m.Enable == "yes"]
			if m.Timeout != "" {
				menu += ",splash-time=" + m.Timeout
			}
		}
	}
	perDevice := false
	if d != nil {
		for i := range d.Disks {
			if d.Disks[i].Boot != nil {
				perDevice = true
				b.bootIndex[&d.Disks[i]] = int(d.Disks[i].Boot.Order)
			}
		}
		for i := range d.Interfaces {
			if d.Interfaces[i].Boot != nil {
				perDevice = true
				b.bootIndex[&d.Interfaces[i]] = int(d.Interfaces[i].Boot.Order)
			}
		}
	}
	if perDevice && len(devs) > 0 {
		return unsupported("per-device boot elements cannot be used together with os/boot elements")
	}
	if !perDevice && d != nil {
		if len(devs) == 0 && (b.dom.OS == nil || b.dom.OS.Kernel == "") {
			devs = []string{"hd"}
		}
		next := 1
		for _, dev := range devs {
			var target any
			switch dev {
			case "hd", "cdrom":
				want := map[string]string{"hd": "disk", "cdrom": "cdrom"}[dev]
				for i := range d.Disks {
					if diskDevice(&d.Disks[i]) == want {
						target = &d.Disks[i]
						break
					}
				}
			case "network":
				if len(d.Interfaces) > 0 {
					target = &d.Interfaces[0]
				}
			case "fd":
				return unsupported("booting from a floppy is not supported")
			default:
				return unsupported("boot device '%s' is not supported; use hd, cdrom or network", dev)
			}
			if target != nil {
				b.bootIndex[target] = next
				next++
			}
		}
	}
	b.add("-boot", "strict=on"+menu)
	return nil
}

func bootIndexOpt(n int) string {
	if n == 0 {
		return ""
	}
	return ",bootindex=" + strconv.Itoa(n)
}
