package lxc

import (
	"encoding/xml"
	"net"
	"path"
	"sort"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/xmlcheck"
	"libvirt.org/go/libvirtxml"
)

// parseDomain reads a domain definition the way libvirt's LXC driver
// accepts it, refusing what this driver cannot honour (naming the
// elements) rather than dropping it, and fills in what libvirt generates
// at define time: the UUID, interface MACs, the pty console.
func parseDomain(doc string) (*libvirtxml.Domain, error) {
	var d libvirtxml.Domain
	if err := d.Unmarshal(doc); err != nil {
		return nil, backend.XMLError("cannot parse the domain XML: %v", err)
	}
	out, err := d.Marshal()
	if err != nil {
		return nil, backend.XMLError("%v", err)
	}
	dropped, err := xmlcheck.Dropped(doc, out, "domain/metadata")
	if err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if len(dropped) > 0 {
		return nil, backend.ConfigUnsupported("unknown elements or attributes in the domain XML: %s", strings.Join(dropped, ", "))
	}
	if err := validate(&d); err != nil {
		return nil, err
	}
	fillDefaults(&d)
	return &d, nil
}

func validate(d *libvirtxml.Domain) error {
	if d.Type != "lxc" {
		return backend.ConfigUnsupported("domain type '%s' is not supported by lxc:///system (use <domain type='lxc'>)", d.Type)
	}
	if err := backend.ValidateName("domain", d.Name); err != nil {
		return err
	}
	if d.OS == nil || d.OS.Type == nil || d.OS.Type.Type != "exe" {
		return backend.ConfigUnsupported("a container needs <os><type>exe</type></os>")
	}
	if d.OS.Init != "" && !path.IsAbs(d.OS.Init) {
		return backend.ConfigUnsupported("init '%s' must be an absolute path in the container", d.OS.Init)
	}
	if d.OS.InitDir != "" && !path.IsAbs(d.OS.InitDir) {
		return backend.ConfigUnsupported("initdir '%s' must be an absolute path", d.OS.InitDir)
	}
	if d.OS.InitUser != "" || d.OS.InitGroup != "" {
		return backend.ConfigUnsupported("<inituser> and <initgroup> are not supported by this driver")
	}
	if d.Memory == nil {
		return backend.ConfigUnsupported("a container needs <memory>, its memory limit")
	}
	if _, err := memoryBytes(d.Memory.Value, d.Memory.Unit); err != nil {
		return err
	}
	if d.CurrentMemory != nil {
		if _, err := memoryBytes(d.CurrentMemory.Value, d.CurrentMemory.Unit); err != nil {
			return err
		}
	}
	if err := validateCPUTune(d.CPUTune); err != nil {
		return err
	}
	if err := validateIDMap(d.IDMap); err != nil {
		return err
	}
	if d.Devices == nil {
		return nil
	}
	if extra := unsupportedDevices(d.Devices); len(extra) > 0 {
		return backend.ConfigUnsupported("devices not supported in containers: %s (this driver supports filesystem, interface, disk and console)", strings.Join(extra, ", "))
	}
	targets := map[string]bool{}
	for i := range d.Devices.Filesystems {
		fs := &d.Devices.Filesystems[i]
		if err := validateFilesystem(fs); err != nil {
			return err
		}
		if targets[path.Clean(fs.Target.Dir)] {
			return backend.ConfigUnsupported("two filesystems have the target %s", fs.Target.Dir)
		}
		targets[path.Clean(fs.Target.Dir)] = true
	}
	for i := range d.Devices.Interfaces {
		if err := validateInterface(&d.Devices.Interfaces[i]); err != nil {
			return err
		}
	}
	disks := map[string]bool{}
	for i := range d.Devices.Disks {
		disk := &d.Devices.Disks[i]
		if err := validateDisk(disk); err != nil {
			return err
		}
		if disks[disk.Target.Dev] {
			return backend.ConfigUnsupported("two disks have the target %s", disk.Target.Dev)
		}
		disks[disk.Target.Dev] = true
	}
	if len(d.Devices.Consoles) > 1 {
		return backend.ConfigUnsupported("a container has one console, not %d", len(d.Devices.Consoles))
	}
	for _, c := range d.Devices.Consoles {
		if c.Source != nil && c.Source.Pty == nil {
			return backend.ConfigUnsupported("only a console of type 'pty' is supported")
		}
	}
	return nil
}

// unsupportedDevices names the device elements other than filesystem,
// interface, disk and console (and emulator, which libvirt ignores for
// LXC).
func unsupportedDevices(devs *libvirtxml.DomainDeviceList) []string {
	rest := *devs
	rest.Emulator, rest.Filesystems, rest.Interfaces, rest.Consoles, rest.Disks = "", nil, nil, nil, nil
	doc, err := (&libvirtxml.Domain{Devices: &rest}).Marshal()
	if err != nil {
		return []string{err.Error()}
	}
	dec := xml.NewDecoder(strings.NewReader(doc))
	depth, seen := 0, map[string]bool{}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 2 { // domain/devices/*
				seen[t.Name.Local] = true
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func validateCPUTune(t *libvirtxml.DomainCPUTune) error {
	if t == nil {
		return nil
	}
	if t.Period != nil && (t.Period.Value < 1000 || t.Period.Value > 1000000) {
		return backend.ConfigUnsupported("cputune period %d must be between 1000 and 1000000 microseconds", t.Period.Value)
	}
	if t.Quota != nil && t.Quota.Value > 0 && t.Quota.Value < 1000 {
		return backend.ConfigUnsupported("cputune quota %d must be at least 1000 microseconds (or negative for none)", t.Quota.Value)
	}
	if len(t.VCPUPin) > 0 || t.EmulatorPin != nil || t.GlobalPeriod != nil || t.GlobalQuota != nil ||
		t.EmulatorPeriod != nil || t.EmulatorQuota != nil || len(t.VCPUSched) > 0 || len(t.CacheTune) > 0 {
		return backend.ConfigUnsupported("cputune supports shares, period and quota only in containers")
	}
	return nil
}

func validateIDMap(m *libvirtxml.DomainIDMap) error {
	if m == nil {
		return nil
	}
	if len(m.UIDs) == 0 || len(m.GIDs) == 0 {
		return backend.ConfigUnsupported("<idmap> needs both <uid> and <gid> ranges")
	}
	for _, set := range [][]libvirtxml.DomainIDMapRange{m.UIDs, m.GIDs} {
		root := false
		for _, r := range set {
			if r.Count == 0 {
				return backend.ConfigUnsupported("<idmap> range starting at %d has count 0", r.Start)
			}
			root = root || r.Start == 0
		}
		if !root {
			return backend.ConfigUnsupported("<idmap> must map id 0 (start='0')")
		}
	}
	return nil
}

func validateFilesystem(fs *libvirtxml.DomainFilesystem) error {
	if fs.Target == nil || !path.IsAbs(fs.Target.Dir) {
		return backend.ConfigUnsupported("a filesystem needs an absolute <target dir=.../>")
	}
	if fs.AccessMode != "" && fs.AccessMode != "passthrough" {
		return backend.ConfigUnsupported("filesystem accessmode '%s' is not supported (passthrough only)", fs.AccessMode)
	}
	if fs.Driver != nil || fs.Binary != nil || fs.IDMap != nil || fs.SpaceHardLimit != nil || fs.SpaceSoftLimit != nil {
		return backend.ConfigUnsupported("filesystem %s: driver, binary, idmap and space limits are not supported", fs.Target.Dir)
	}
	src := fs.Source
	switch {
	case src == nil:
		return backend.ConfigUnsupported("filesystem %s has no <source>", fs.Target.Dir)
	case src.Mount != nil:
		if !path.IsAbs(src.Mount.Dir) {
			return backend.ConfigUnsupported("filesystem %s: source dir must be an absolute host path", fs.Target.Dir)
		}
	case src.Bind != nil:
		if !path.IsAbs(src.Bind.Dir) {
			return backend.ConfigUnsupported("filesystem %s: bind source must be an absolute path in the container", fs.Target.Dir)
		}
		if path.Clean(fs.Target.Dir) == "/" {
			return backend.ConfigUnsupported("the root filesystem cannot be of type 'bind'")
		}
	case src.RAM != nil:
		if _, err := memoryBytes(src.RAM.Usage, src.RAM.Units); err != nil {
			return err
		}
		if src.RAM.Usage == 0 {
			return backend.ConfigUnsupported("filesystem %s: a ram filesystem needs a size (usage)", fs.Target.Dir)
		}
		if path.Clean(fs.Target.Dir) == "/" {
			return backend.ConfigUnsupported("the root filesystem cannot be of type 'ram'")
		}
	default:
		return backend.ConfigUnsupported("filesystem %s: only types mount, bind and ram are supported", fs.Target.Dir)
	}
	return nil
}

func validateInterface(iface *libvirtxml.DomainInterface) error {
	src := iface.Source
	if src == nil || (src.Bridge == nil && src.Network == nil) {
		return backend.ConfigUnsupported("only interfaces of type 'bridge' and 'network' are supported in containers")
	}
	if src.Bridge != nil && src.Bridge.Bridge == "" {
		return backend.ConfigUnsupported("an interface of type 'bridge' needs <source bridge=.../>")
	}
	if src.Network != nil && src.Network.Network == "" {
		return backend.ConfigUnsupported("an interface of type 'network' needs <source network=.../>")
	}
	if iface.MAC != nil {
		if _, err := net.ParseMAC(iface.MAC.Address); err != nil {
			return backend.ConfigUnsupported("invalid MAC address '%s'", iface.MAC.Address)
		}
	}
	for _, ip := range iface.IP {
		if net.ParseIP(ip.Address) == nil {
			return backend.ConfigUnsupported("invalid interface address '%s'", ip.Address)
		}
	}
	for _, r := range iface.Route {
		if net.ParseIP(r.Gateway) == nil {
			return backend.ConfigUnsupported("invalid route gateway '%s'", r.Gateway)
		}
	}
	return nil
}

// fillDefaults adds what libvirt generates when it parses a definition.
// The UUID is left to Define and Create, which reuse an existing domain's.
func fillDefaults(d *libvirtxml.Domain) {
	if d.OS.Init == "" {
		d.OS.Init = "/sbin/init"
	}
	if d.Devices == nil {
		d.Devices = &libvirtxml.DomainDeviceList{}
	}
	for i := range d.Devices.Interfaces {
		if iface := &d.Devices.Interfaces[i]; iface.MAC == nil {
			iface.MAC = &libvirtxml.DomainInterfaceMAC{Address: backend.NewMAC()}
		}
	}
	forgetGeneratedTargets(d)
	if len(d.Devices.Consoles) == 0 {
		d.Devices.Consoles = []libvirtxml.DomainConsole{{
			Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
			Target: &libvirtxml.DomainConsoleTarget{Type: "lxc", Port: new(uint)},
		}}
	}
}

// forgetGeneratedTargets drops the host device names a running container
// was given (vethN, ...): the next plug picks a free one, as that name may
// be another container's by then.
func forgetGeneratedTargets(d *libvirtxml.Domain) {
	for i := range d.Devices.Interfaces {
		if t := d.Devices.Interfaces[i].Target; t != nil && generatedName(t.Dev) {
			d.Devices.Interfaces[i].Target = nil
		}
	}
}

// generatedName reports whether a host device name is one plugging
// generates (libvirt blanks those out when it parses a definition, so
// that a dumpxml of a running container defines a usable one).
func generatedName(dev string) bool {
	for _, prefix := range []string{"veth", "vnet", "macvtap", "macvlan"} {
		if strings.HasPrefix(dev, prefix) {
			return true
		}
	}
	return false
}

// memoryBytes converts a libvirt size (default unit KiB) to bytes.
func memoryBytes(v uint, unit string) (uint64, error) {
	mult := map[string]uint64{
		"": 1024, "b": 1, "bytes": 1,
		"k": 1024, "KiB": 1024, "KB": 1000,
		"M": 1 << 20, "MiB": 1 << 20, "MB": 1000 * 1000,
		"G": 1 << 30, "GiB": 1 << 30, "GB": 1000 * 1000 * 1000,
		"T": 1 << 40, "TiB": 1 << 40, "TB": 1000 * 1000 * 1000 * 1000,
	}[unit]
	if mult == 0 {
		return 0, backend.ConfigUnsupported("unknown size unit '%s'", unit)
	}
	return uint64(v) * mult, nil
}

func kib(v uint, unit string) uint64 {
	b, _ := memoryBytes(v, unit)
	return b / 1024
}

// maxMemKiB and curMemKiB are the domain's <memory> and <currentMemory>.
func maxMemKiB(d *libvirtxml.Domain) uint64 { return kib(d.Memory.Value, d.Memory.Unit) }

func curMemKiB(d *libvirtxml.Domain) uint64 {
	if d.CurrentMemory != nil {
		return kib(d.CurrentMemory.Value, d.CurrentMemory.Unit)
	}
	return maxMemKiB(d)
}

func vcpus(d *libvirtxml.Domain) int {
	if d.VCPU != nil && d.VCPU.Value > 0 {
		return int(d.VCPU.Value)
	}
	return 1
}
