package xlconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// DiskSpec is one entry of xl's disk list (xl-disk-configuration(5)).
type DiskSpec struct {
	Target      string // the image path or device; empty for an empty CD-ROM
	Format      string // raw, qcow, qcow2, vhd, qed, empty
	Vdev        string // xvda, hda, sdb
	Access      string // rw, ro, "!" (shared writable)
	DevType     string // "cdrom" or ""
	BackendType string // phy, qdisk, tap or "" (xl picks)
	Script      string
}

// ParseDisk parses a disk specification: comma-separated positional
// parameters (target, format, vdev, access) and key=value ones, where
// target= takes the whole rest of the string. The legacy forms
// "phy:/dev/x", "file:/path", "tap:qcow2:/path" and "hdc:cdrom" are
// understood too.
func ParseDisk(spec string) (DiskSpec, error) {
	var d DiskSpec
	positional := []*string{&d.Target, &d.Format, &d.Vdev, &d.Access}
	rest := spec
	for rest != "" {
		tok := rest
		if i := strings.IndexByte(rest, ','); i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		tok = strings.TrimLeft(tok, " \t")
		key, val, hasEq := strings.Cut(tok, "=")
		switch {
		case hasEq && key == "target":
			// target= consumes the rest of the specification.
			if rest != "" {
				val += "," + rest
				rest = ""
			}
			d.Target = val
			positional = dropField(positional, &d.Target)
		case hasEq:
			var field *string
			switch key {
			case "format":
				field = &d.Format
			case "vdev":
				field = &d.Vdev
			case "access":
				field = &d.Access
			case "devtype":
				field = &d.DevType
			case "backendtype":
				field = &d.BackendType
			case "script":
				field = &d.Script
			case "backend", "colo-host", "colo-port", "colo-export", "active-disk", "hidden-disk", "trusted", "specification":
				continue // accepted by xl, no libvirt counterpart
			default:
				return d, fmt.Errorf("unknown disk parameter '%s' in '%s'", key, spec)
			}
			*field = val
			positional = dropField(positional, field)
		case tok == "cdrom":
			d.DevType = "cdrom"
		case tok == "direct-io-safe" || tok == "discard" || tok == "no-discard" || tok == "colo":
			// flags without a libvirt counterpart
		default:
			if len(positional) == 0 {
				return d, fmt.Errorf("too many positional parameters in disk '%s'", spec)
			}
			*positional[0] = tok
			positional = positional[1:]
		}
	}
	d.legacyPrefixes()
	switch d.Access {
	case "", "w", "rw":
		d.Access = "rw"
	case "r", "ro":
		d.Access = "ro"
	case "!":
	default:
		return d, fmt.Errorf("invalid access '%s' in disk '%s'", d.Access, spec)
	}
	if d.Vdev == "" {
		return d, fmt.Errorf("disk '%s' has no virtual device (vdev)", spec)
	}
	return d, nil
}

func dropField(fields []*string, f *string) []*string {
	for i, p := range fields {
		if p == f {
			return append(fields[:i:i], fields[i+1:]...)
		}
	}
	return fields
}

// legacyPrefixes turns xm-style "phy:/dev/sda" targets and "hdc:cdrom"
// devices into the modern fields.
func (d *DiskSpec) legacyPrefixes() {
	if v, ok := strings.CutSuffix(d.Vdev, ":cdrom"); ok {
		d.Vdev, d.DevType = v, "cdrom"
	}
	d.Vdev = strings.TrimSuffix(d.Vdev, ":disk")
	for {
		prefix, path, ok := strings.Cut(d.Target, ":")
		if !ok || strings.HasPrefix(d.Target, "/") {
			return
		}
		switch prefix {
		case "phy":
			d.BackendType = "phy"
		case "file", "aio":
		case "tap", "tap2":
			d.BackendType = "tap"
		case "raw", "qcow", "qcow2", "vhd", "qed":
			d.Format = prefix
		default:
			return // rbd:... and the like stay as they are
		}
		d.Target = path
	}
}

// String writes the specification the way libvirt does: every field by
// name, target last (it takes the rest of the string).
func (d DiskSpec) String() string {
	format := d.Format
	if format == "" {
		format = "raw"
	}
	access := d.Access
	if access == "" {
		access = "rw"
	}
	s := "format=" + format + ",vdev=" + d.Vdev + ",access=" + access
	if d.BackendType != "" {
		s += ",backendtype=" + d.BackendType
	}
	if d.DevType != "" {
		s += ",devtype=" + d.DevType
	}
	if d.Script != "" {
		s += ",script=" + d.Script
	}
	if d.Target != "" {
		s += ",target=" + d.Target
	}
	return s
}

// VifSpec is one entry of xl's vif list (xl-network-configuration(5)).
type VifSpec struct {
	MAC, Bridge, Script, Model, Type, VifName, IP, Rate string
}

// ParseVif parses "key=value,..." (unknown keys are ignored, as libvirt
// does).
func ParseVif(spec string) (VifSpec, error) {
	var v VifSpec
	for _, tok := range strings.Split(spec, ",") {
		tok = strings.TrimLeft(tok, " \t")
		if tok == "" {
			continue
		}
		key, val, ok := strings.Cut(tok, "=")
		if !ok {
			return v, fmt.Errorf("malformed vif parameter '%s' in '%s'", tok, spec)
		}
		switch key {
		case "mac":
			v.MAC = val
		case "bridge":
			v.Bridge = val
		case "script":
			v.Script = val
		case "model":
			v.Model = val
		case "type":
			v.Type = val
		case "vifname":
			v.VifName = val
		case "ip":
			v.IP = val
		case "rate":
			v.Rate = val
		}
	}
	return v, nil
}

// String writes the specification in libvirt's order.
func (v VifSpec) String() string {
	var parts []string
	add := func(k, val string) {
		if val != "" {
			parts = append(parts, k+"="+val)
		}
	}
	add("mac", v.MAC)
	add("bridge", v.Bridge)
	add("ip", v.IP)
	add("script", v.Script)
	add("model", v.Model)
	add("type", v.Type)
	add("vifname", v.VifName)
	add("rate", v.Rate)
	return strings.Join(parts, ",")
}

var vifRate = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+)([GMK]?)([Bb])/s$`) }) // compiled when first used, not at every start

// parseRate reads a vif rate ("10240KB/s", "100Mb/s@20ms") as KiB/s.
func parseRate(rate string) (uint, error) {
	r, _, _ := strings.Cut(rate, "@")
	m := vifRate().FindStringSubmatch(r)
	if m == nil {
		return 0, fmt.Errorf("invalid rate '%s' specified", rate)
	}
	n, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("failed to parse rate '%s'", rate)
	}
	switch m[2] {
	case "G":
		n *= 1024 * 1024
	case "M":
		n *= 1024
	}
	if m[3] == "b" {
		n /= 8
	}
	return uint(n), nil
}
