package keycodes

import "testing"

func TestToQnum(t *testing.T) {
	for _, tc := range []struct {
		codeset string
		name    string
		code    uint
		want    uint
	}{
		{"linux", "KEY_A", 0, 0x1e},
		{"linux", "KEY_LEFTCTRL", 0, 0x1d},
		{"linux", "KEY_F12", 0, 0x58},
		{"linux", "KEY_UP", 0, 0xc8},
		{"linux", "KEY_DELETE", 0, 0xd3},
		{"linux", "KEY_RIGHTCTRL", 0, 0x9d},
		{"linux", "KEY_LEFTMETA", 0, 0xdb},
		{"xt", "", 0x1e, 0x1e},
		{"atset1", "", 0xe048, 0xc8},
		{"qnum", "", 0xc8, 0xc8},
		{"rfb", "", 0x1e, 0x1e},
	} {
		code := tc.code
		if tc.name != "" {
			var ok bool
			if code, ok = ByName(tc.codeset, tc.name); !ok {
				t.Fatalf("%s: no such name", tc.name)
			}
		}
		got, err := ToQnum(tc.codeset, code)
		if err != nil || got != tc.want {
			t.Errorf("%s %s %#x: %#x, %v; want %#x", tc.codeset, tc.name, code, got, err, tc.want)
		}
	}
	if _, err := ToQnum("usb", 4); err == nil {
		t.Error("usb: no error")
	}
	if _, err := ToQnum("linux", 600); err == nil {
		t.Error("linux 600: no error")
	}
	if _, ok := ByName("xt", "KEY_A"); ok {
		t.Error("xt has no names")
	}
	if !Known("rfb") || !Known("win32") || Known("foo") {
		t.Error("Known")
	}
}
