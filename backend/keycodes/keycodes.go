// Package keycodes names and translates keyboard codes for send-key:
// libvirt's codesets, the names of Linux key codes, and the translation
// to QEMU's "qnum" numbers (XT set 1 scancodes, 0x80 added for the keys
// that send an 0xe0 prefix), which QMP's send-key takes.
package keycodes

import "fmt"

// Codesets are libvirt's keycode sets, in virKeycodeSet's order; "rfb"
// is the old name of qnum.
var Codesets = []string{"linux", "xt", "atset1", "atset2", "atset3", "os_x", "xt_kbd", "win32", "usb", "qnum"}

// Known reports whether codeset is a libvirt codeset name (or rfb).
func Known(codeset string) bool {
	if codeset == "rfb" {
		return true
	}
	for _, c := range Codesets {
		if c == codeset {
			return true
		}
	}
	return false
}

// ByName returns the code of a key name in codeset: Linux's KEY_* names
// for the linux codeset; the other codesets are given as numbers.
func ByName(codeset, name string) (uint, bool) {
	if codeset != "linux" {
		return 0, false
	}
	v, ok := linuxNames()[name]
	return v, ok
}

// linuxExtended maps the Linux key codes of keys outside the first XT
// block (whose codes equal their scancodes) to qnum.
var linuxExtended = map[uint]uint{
	85: 0x76, 89: 0x73, 90: 0x78, 91: 0x77, 92: 0x79, 93: 0x70, 94: 0x7b, 95: 0x5c,
	96: 0x9c, 97: 0x9d, 98: 0xb5, 99: 0x54, 100: 0xb8, 102: 0xc7, 103: 0xc8,
	104: 0xc9, 105: 0xcb, 106: 0xcd, 107: 0xcf, 108: 0xd0, 109: 0xd1, 110: 0xd2,
	111: 0xd3, 113: 0xa0, 114: 0xae, 115: 0xb0, 116: 0xde, 117: 0x59, 119: 0xc6,
	121: 0x7e, 124: 0x7d, 125: 0xdb, 126: 0xdc, 127: 0xdd, 142: 0xdf, 143: 0xe3,
}

// ToQnum translates code of codeset to QEMU's qnum.
func ToQnum(codeset string, code uint) (uint, error) {
	switch codeset {
	case "qnum", "rfb":
		return code, nil
	case "xt":
		if code > 0 && code < 0x80 {
			return code, nil
		}
	case "atset1":
		switch {
		case code > 0 && code < 0x80:
			return code, nil
		case code>>8 == 0xe0 && code&0xff > 0 && code&0xff < 0x80:
			return 0x80 | code&0x7f, nil
		}
	case "linux":
		if code >= 1 && code <= 88 && code != 84 && code != 85 {
			return code, nil
		}
		if q, ok := linuxExtended[code]; ok {
			return q, nil
		}
	default:
		return 0, fmt.Errorf("codeset '%s' is not supported by virtsh; give the keys in the linux, xt, atset1 or qnum codeset", codeset)
	}
	return 0, fmt.Errorf("key code %d of codeset %s has no QEMU scancode known to virtsh", code, codeset)
}
