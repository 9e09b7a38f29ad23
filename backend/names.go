package backend

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode"
)

// ValidateName checks an object name (domain, network, pool, snapshot)
// before it becomes part of a file name: not empty, no path separator, not
// "." or "..", no control characters, and at most 255 bytes.
func ValidateName(kind, name string) error {
	switch {
	case name == "":
		return InvalidArgument("%s name must not be empty", kind)
	case name == "." || name == "..":
		return InvalidArgument("%s name '%s' is not allowed", kind, name)
	case strings.ContainsRune(name, '/'):
		return InvalidArgument("%s name '%s' must not contain '/'", kind, name)
	case len(name) > 255:
		return InvalidArgument("%s name is longer than 255 bytes", kind)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return InvalidArgument("%s name '%q' must not contain control characters", kind, name)
	}
	return nil
}

// NewUUID returns a random (version 4) UUID in libvirt's text form.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewMAC returns a random MAC address in QEMU's range 52:54:00:xx:xx:xx,
// as libvirt generates for guest interfaces and network bridges.
func NewMAC() string {
	var b [3]byte
	rand.Read(b[:])
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[0], b[1], b[2])
}
