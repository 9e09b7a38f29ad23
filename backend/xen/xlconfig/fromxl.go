package xlconfig

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// HVMLoader is the firmware of HVM guests that libvirt's capabilities
// name for Xen (the hvmloader of xen-utils).
const HVMLoader = "/usr/lib/xen/boot/hvmloader"

// FromXL converts an xl configuration to a domain definition, as
// libvirt's xenParseXL does, including the devices libvirt adds when it
// reads one (xenbus controller, input devices, console, memory balloon,
// video for graphics, IDE controller and drive addresses).
func FromXL(cfg *Config) (*libvirtxml.Domain, error) {
	r := &reader{cfg: cfg, dom: &libvirtxml.Domain{Type: "xen", Devices: &libvirtxml.DomainDeviceList{}}}
	for _, step := range []func() error{
		r.meta, r.memory, r.lifecycle, r.cpus, r.features, r.clock, r.emulator,
		r.vifs, r.pci, r.sound, r.vfb, r.chardevs, r.os, r.xenbus, r.disks,
		r.spice, r.usbInputs, r.usbHostdevs, r.usbControllers, r.channels, r.implicit,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return r.dom, nil
}

type reader struct {
	cfg  *Config
	dom  *libvirtxml.Domain
	kind string // pv, pvh, hvm
}

func (r *reader) hvm() bool { return r.kind == "hvm" }

func (r *reader) str(key string) string {
	s, _ := r.cfg.String(key)
	return s
}

func (r *reader) meta() error {
	name, ok := r.cfg.String("name")
	if !ok {
		return fmt.Errorf("internal error: config value name was missing")
	}
	r.dom.Name = name
	r.dom.UUID = r.str("uuid")
	if r.dom.UUID == "" {
		r.dom.UUID = newUUID()
	}
	r.kind = "pv"
	if t, ok := r.cfg.String("type"); ok {
		switch t {
		case "pv", "pvh", "hvm":
			r.kind = t
		default:
			return fmt.Errorf("unsupported configuration: type %s is not supported", t)
		}
	} else if r.str("builder") == "hvm" {
		r.kind = "hvm"
	}
	ostype := map[string]*libvirtxml.DomainOSType{
		"pv":  {Arch: "x86_64", Machine: "xenpv", Type: "linux"},
		"pvh": {Arch: "x86_64", Machine: "xenpvh", Type: "xenpvh"},
		"hvm": {Arch: "x86_64", Machine: "xenfv", Type: "hvm"},
	}[r.kind]
	r.dom.OS = &libvirtxml.DomainOS{Type: ostype}
	return nil
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (r *reader) memory() error {
	cur, err := r.cfg.Uint("memory", 128)
	if err != nil {
		return err
	}
	total, err := r.cfg.Uint("maxmem", cur)
	if err != nil {
		return err
	}
	r.dom.Memory = &libvirtxml.DomainMemory{Value: uint(total * 1024), Unit: "KiB"}
	r.dom.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(cur * 1024), Unit: "KiB"}
	return nil
}

func (r *reader) lifecycle() error {
	valid := map[string]bool{"destroy": true, "restart": true, "rename-restart": true, "preserve": true, "coredump-destroy": true, "coredump-restart": true}
	for _, a := range []struct {
		key, def string
		dst      *string
	}{
		{"on_poweroff", "destroy", &r.dom.OnPoweroff},
		{"on_reboot", "restart", &r.dom.OnReboot},
		{"on_crash", "restart", &r.dom.OnCrash},
	} {
		v, ok := r.cfg.String(a.key)
		if !ok {
			v = a.def
		}
		if !valid[v] {
			return fmt.Errorf("internal error: unexpected value %s for %s", v, a.key)
		}
		*a.dst = v
	}
	return nil
}

func (r *reader) cpus() error {
	n, err := r.cfg.Uint("vcpus", 1)
	if err != nil {
		return err
	}
	vcpu := &libvirtxml.DomainVCPU{Placement: "static", Value: uint(n)}
	if _, ok := r.cfg.Get("maxvcpus"); ok {
		max, err := r.cfg.Uint("maxvcpus", 0)
		if err != nil {
			return err
		}
		if uint(max) != vcpu.Value {
			vcpu.Current, vcpu.Value = vcpu.Value, uint(max)
		}
	}
	vcpu.CPUSet = r.str("cpus")
	r.dom.VCPU = vcpu
	return nil
}

func (r *reader) flag(key string, def bool) (bool, error) { return r.cfg.Bool(key, def) }

func (r *reader) features() error {
	f := &libvirtxml.DomainFeatureList{}
	used := false
	if mode := r.str("tsc_mode"); mode != "" {
		t := libvirtxml.DomainTimer{Name: "tsc", Present: "yes", Mode: "auto"}
		switch mode {
		case "always_emulate":
			t.Mode = "emulate"
		case "native":
			t.Mode = "native"
		case "native_paravirt":
			t.Mode = "paravirt"
		}
		r.addTimer(t)
	}
	if p := r.str("passthrough"); p != "" {
		pt := &libvirtxml.DomainFeatureXenPassthrough{State: "on"}
		switch p {
		case "disabled":
			pt.State = "off"
		case "enabled":
		case "sync_pt", "share_pt":
			pt.Mode = p
		default:
			return fmt.Errorf("invalid passthrough mode %s", p)
		}
		f.Xen = &libvirtxml.DomainFeatureXen{Passthrough: pt}
		used = true
	}
	if r.hvm() {
		for _, x := range []struct {
			key string
			set func()
		}{
			{"pae", func() { f.PAE = &libvirtxml.DomainFeature{} }},
			{"acpi", func() { f.ACPI = &libvirtxml.DomainFeature{} }},
			{"apic", func() { f.APIC = &libvirtxml.DomainFeatureAPIC{} }},
		} {
			if v, err := r.flag(x.key, true); err != nil {
				return err
			} else if v {
				x.set()
				used = true
			}
		}
		if v, err := r.flag("hap", true); err != nil {
			return err
		} else if !v {
			f.HAP = &libvirtxml.DomainFeatureState{State: "off"}
		}
		if v, err := r.flag("viridian", false); err != nil {
			return err
		} else if v {
			f.Viridian = &libvirtxml.DomainFeature{}
		}
		if _, ok := r.cfg.Get("hpet"); ok {
			v, err := r.flag("hpet", false)
			if err != nil {
				return err
			}
			present := "no"
			if v {
				present = "yes"
			}
			r.addTimer(libvirtxml.DomainTimer{Name: "hpet", Present: present})
		}
		used = true
	} else if v, err := r.flag("e820_host", false); err != nil {
		return err
	} else if v {
		if f.Xen == nil {
			f.Xen = &libvirtxml.DomainFeatureXen{}
		}
		f.Xen.E820Host = &libvirtxml.DomainFeatureXenE820Host{State: "on"}
		used = true
	}
	if used {
		r.dom.Features = f
	}
	return nil
}

func (r *reader) addTimer(t libvirtxml.DomainTimer) {
	if r.dom.Clock == nil {
		r.dom.Clock = &libvirtxml.DomainClock{}
	}
	r.dom.Clock.Timer = append(r.dom.Clock.Timer, t)
}

func (r *reader) clock() error {
	localtime, err := r.flag("localtime", false)
	if err != nil {
		return err
	}
	if r.dom.Clock == nil {
		r.dom.Clock = &libvirtxml.DomainClock{}
	}
	c := r.dom.Clock
	if r.hvm() {
		off := int64(0)
		if s, ok := r.cfg.String("rtc_timeoffset"); ok {
			n, err := strconv.ParseInt(s, 0, 64)
			if err != nil {
				return fmt.Errorf("internal error: config value rtc_timeoffset was malformed")
			}
			off = n
		}
		c.Offset, c.Adjustment, c.Basis = "variable", strconv.FormatInt(off, 10), "utc"
		if localtime {
			c.Basis = "localtime"
		}
		return nil
	}
	c.Offset, c.Adjustment = "utc", "reset"
	if localtime {
		c.Offset = "localtime"
	}
	return nil
}

func (r *reader) emulator() error {
	r.dom.Devices.Emulator = r.str("device_model_override")
	if r.dom.Devices.Emulator == "" {
		r.dom.Devices.Emulator = r.str("device_model")
	}
	return nil
}

func (r *reader) vifs() error {
	v, ok := r.cfg.Get("vif")
	if !ok || v.Kind != List {
		return nil
	}
	for _, item := range v.List {
		if item.Kind != String {
			continue
		}
		spec, err := ParseVif(item.Str)
		if err != nil {
			return err
		}
		nic, err := InterfaceFromVif(spec)
		if err != nil {
			return err
		}
		r.dom.Devices.Interfaces = append(r.dom.Devices.Interfaces, *nic)
	}
	return nil
}

// InterfaceFromVif converts a vif specification to an <interface>
// (libvirt's xenParseVif).
func InterfaceFromVif(v VifSpec) (*libvirtxml.DomainInterface, error) {
	nic := &libvirtxml.DomainInterface{}
	if v.MAC != "" {
		nic.MAC = &libvirtxml.DomainInterfaceMAC{Address: strings.ToLower(v.MAC)}
	}
	if v.Bridge != "" || v.Script == "vif-bridge" || v.Script == "vif-vnic" {
		br := v.Bridge
		if name, tag, ok := strings.Cut(br, "."); ok {
			id, err := strconv.ParseUint(tag, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("invalid VLAN tag in bridge '%s'", v.Bridge)
			}
			br = name
			nic.VLan = &libvirtxml.DomainInterfaceVLan{Tags: []libvirtxml.DomainInterfaceVLanTag{{ID: uint(id)}}}
		} else if parts := strings.Split(br, ":"); len(parts) > 1 {
			br = parts[0]
			nic.VLan = &libvirtxml.DomainInterfaceVLan{Trunk: "yes"}
			for _, p := range parts[1:] {
				id, err := strconv.ParseUint(p, 10, 32)
				if err != nil {
					return nil, fmt.Errorf("invalid VLAN trunk in bridge '%s'", v.Bridge)
				}
				nic.VLan.Tags = append(nic.VLan.Tags, libvirtxml.DomainInterfaceVLanTag{ID: uint(id)})
			}
		}
		if nic.VLan != nil {
			nic.VirtualPort = &libvirtxml.DomainInterfaceVirtualPort{Params: &libvirtxml.DomainInterfaceVirtualPortParams{OpenVSwitch: &libvirtxml.DomainInterfaceVirtualPortParamsOpenVSwitch{}}}
		}
		nic.Source = &libvirtxml.DomainInterfaceSource{Bridge: &libvirtxml.DomainInterfaceSourceBridge{Bridge: br}}
	} else {
		nic.Source = &libvirtxml.DomainInterfaceSource{Ethernet: &libvirtxml.DomainInterfaceSourceEthernet{}}
	}
	for _, ip := range strings.Fields(v.IP) {
		family := "ipv4"
		if strings.Contains(ip, ":") {
			family = "ipv6"
		}
		nic.IP = append(nic.IP, libvirtxml.DomainInterfaceIP{Address: ip, Family: family})
	}
	if v.Script != "" {
		nic.Script = &libvirtxml.DomainInterfaceScript{Path: v.Script}
	}
	if v.Model != "" {
		nic.Model = &libvirtxml.DomainInterfaceModel{Type: v.Model}
	} else if v.Type == "vif" {
		nic.Model = &libvirtxml.DomainInterfaceModel{Type: "netfront"}
	}
	if v.VifName != "" {
		nic.Target = &libvirtxml.DomainInterfaceTarget{Dev: v.VifName}
	}
	if v.Rate != "" {
		kib, err := parseRate(v.Rate)
		if err != nil {
			return nil, err
		}
		avg := int(kib)
		nic.Bandwidth = &libvirtxml.DomainInterfaceBandwidth{Outbound: &libvirtxml.DomainInterfaceBandwidthParams{Average: &avg}}
	}
	return nic, nil
}

func (r *reader) pci() error {
	for _, entry := range r.cfg.Strings("pci") {
		addr, opts, _ := strings.Cut(entry, ",")
		parts := strings.Split(addr, ":")
		if len(parts) == 2 {
			parts = append([]string{"0"}, parts...)
		}
		slot, fn, ok := strings.Cut(parts[len(parts)-1], ".")
		if len(parts) != 3 || !ok {
			return fmt.Errorf("internal error: Malformed PCI address %s", entry)
		}
		var nums [4]uint
		for i, s := range []string{parts[0], parts[1], slot, fn} {
			n, err := strconv.ParseUint(s, 16, 32)
			if err != nil {
				return fmt.Errorf("internal error: Malformed PCI address %s", entry)
			}
			nums[i] = uint(n)
		}
		src := &libvirtxml.DomainHostdevSubsysPCISource{Address: &libvirtxml.DomainAddressPCI{Domain: &nums[0], Bus: &nums[1], Slot: &nums[2], Function: &nums[3]}}
		for _, o := range strings.Split(opts, ",") {
			if v, ok := strings.CutPrefix(o, "permissive="); ok {
				src.WriteFiltering = "yes"
				if v != "0" {
					src.WriteFiltering = "no"
				}
			}
		}
		r.dom.Devices.Hostdevs = append(r.dom.Devices.Hostdevs, libvirtxml.DomainHostdev{Managed: "no", SubsysPCI: &libvirtxml.DomainHostdevSubsysPCI{Source: src}})
	}
	return nil
}

func (r *reader) sound() error {
	s := r.str("soundhw")
	if !r.hvm() || s == "" {
		return nil
	}
	models := strings.Split(s, ",")
	if s == "all" {
		models = []string{"sb16", "es1370"}
	}
	for _, m := range models {
		r.dom.Devices.Sounds = append(r.dom.Devices.Sounds, libvirtxml.DomainSound{Model: m})
	}
	return nil
}

func vncListen(addr string) (string, []libvirtxml.DomainGraphicListener) {
	if addr == "" {
		return "", nil
	}
	return addr, []libvirtxml.DomainGraphicListener{{Address: &libvirtxml.DomainGraphicListenerAddress{Address: addr}}}
}

func (r *reader) vfb() error {
	if r.hvm() {
		vnc, err := r.flag("vnc", false)
		if err != nil {
			return err
		}
		if vnc {
			unused, err := r.flag("vncunused", true)
			if err != nil {
				return err
			}
			g := &libvirtxml.DomainGraphicVNC{Port: -1, AutoPort: "yes", Passwd: r.str("vncpasswd"), Keymap: r.str("keymap")}
			if !unused {
				n, err := r.cfg.Uint("vncdisplay", 0)
				if err != nil {
					return err
				}
				g.Port, g.AutoPort = int(n)+5900, "no"
			}
			g.Listen, g.Listeners = vncListen(r.str("vnclisten"))
			r.dom.Devices.Graphics = append(r.dom.Devices.Graphics, libvirtxml.DomainGraphic{VNC: g})
			return nil
		}
		if sdl, err := r.flag("sdl", false); err != nil {
			return err
		} else if sdl {
			r.dom.Devices.Graphics = append(r.dom.Devices.Graphics, libvirtxml.DomainGraphic{SDL: &libvirtxml.DomainGraphicSDL{Display: r.str("display"), XAuth: r.str("xauthority")}})
		}
		return nil
	}
	vfbs := r.cfg.Strings("vfb")
	if len(vfbs) == 0 {
		return nil
	}
	kv := map[string]string{}
	for _, tok := range strings.Split(vfbs[0], ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(tok), "="); ok {
			kv[k] = v
		}
	}
	if kv["type"] == "sdl" {
		r.dom.Devices.Graphics = append(r.dom.Devices.Graphics, libvirtxml.DomainGraphic{SDL: &libvirtxml.DomainGraphicSDL{Display: kv["display"], XAuth: kv["xauthority"]}})
		return nil
	}
	g := &libvirtxml.DomainGraphicVNC{Passwd: kv["vncpasswd"], Keymap: kv["keymap"], AutoPort: "no"}
	if kv["vncunused"] == "1" {
		g.AutoPort, g.Port = "yes", -1
	}
	if d, ok := kv["vncdisplay"]; ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			return fmt.Errorf("internal error: invalid vncdisplay value '%s'", d)
		}
		g.Port = n + 5900
	}
	g.Listen, g.Listeners = vncListen(kv["vnclisten"])
	r.dom.Devices.Graphics = append(r.dom.Devices.Graphics, libvirtxml.DomainGraphic{VNC: g})
	return nil
}

// parseChardev reads xl's serial/parallel syntax (libvirt's xenParseSxprChar).
func parseChardev(value string) (*libvirtxml.DomainChardevSource, error) {
	if strings.HasPrefix(value, "/") {
		return &libvirtxml.DomainChardevSource{Dev: &libvirtxml.DomainChardevSourceDev{Path: value}}, nil
	}
	kind, rest, _ := strings.Cut(value, ":")
	switch {
	case kind == "pty":
		return &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}}, nil
	case kind == "null":
		return &libvirtxml.DomainChardevSource{Null: &libvirtxml.DomainChardevSourceNull{}}, nil
	case kind == "vc":
		return &libvirtxml.DomainChardevSource{VC: &libvirtxml.DomainChardevSourceVC{}}, nil
	case kind == "stdio":
		return &libvirtxml.DomainChardevSource{StdIO: &libvirtxml.DomainChardevSourceStdIO{}}, nil
	case kind == "file":
		return &libvirtxml.DomainChardevSource{File: &libvirtxml.DomainChardevSourceFile{Path: rest}}, nil
	case kind == "pipe":
		return &libvirtxml.DomainChardevSource{Pipe: &libvirtxml.DomainChardevSourcePipe{Path: rest}}, nil
	case kind == "tcp" || strings.HasPrefix(kind, "telnet"):
		host, svc, ok := strings.Cut(rest, ":")
		if !ok {
			return nil, fmt.Errorf("internal error: malformed char device string")
		}
		svc, opts, _ := strings.Cut(svc, ",")
		t := &libvirtxml.DomainChardevSourceTCP{Mode: "connect", Host: host, Service: svc}
		if strings.Contains(","+opts, ",server") {
			t.Mode = "bind"
		}
		return &libvirtxml.DomainChardevSource{TCP: t}, nil
	case kind == "udp":
		host, rest2, ok := strings.Cut(rest, ":")
		if !ok {
			return nil, fmt.Errorf("internal error: malformed char device string")
		}
		u := &libvirtxml.DomainChardevSourceUDP{ConnectHost: host}
		svc, bind, hasBind := strings.Cut(rest2, "@")
		u.ConnectService = svc
		if hasBind {
			bh, bs, ok := strings.Cut(bind, ":")
			if !ok {
				return nil, fmt.Errorf("internal error: malformed char device string")
			}
			u.BindHost, u.BindService = bh, bs
		}
		return &libvirtxml.DomainChardevSource{UDP: u}, nil
	case kind == "unix":
		path, opts, _ := strings.Cut(rest, ",")
		u := &libvirtxml.DomainChardevSourceUNIX{Mode: "connect", Path: path}
		if strings.Contains(","+opts, ",server") {
			u.Mode = "bind"
		}
		return &libvirtxml.DomainChardevSource{UNIX: u}, nil
	}
	return nil, fmt.Errorf("internal error: unknown chr device type '%s'", kind)
}

func uptr(n uint) *uint { return &n }

func (r *reader) chardevs() error {
	if !r.hvm() {
		r.dom.Devices.Consoles = append(r.dom.Devices.Consoles, libvirtxml.DomainConsole{
			Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
			Target: &libvirtxml.DomainConsoleTarget{Type: "xen", Port: uptr(0)},
		})
		return nil
	}
	if p := r.str("parallel"); p != "" && p != "none" {
		src, err := parseChardev(p)
		if err != nil {
			return err
		}
		r.dom.Devices.Parallels = append(r.dom.Devices.Parallels, libvirtxml.DomainParallel{Source: src, Target: &libvirtxml.DomainParallelTarget{Port: uptr(0)}})
	}
	for port, s := range r.cfg.Strings("serial") {
		if s == "none" {
			continue
		}
		src, err := parseChardev(s)
		if err != nil {
			return err
		}
		r.dom.Devices.Serials = append(r.dom.Devices.Serials, libvirtxml.DomainSerial{Source: src, Target: &libvirtxml.DomainSerialTarget{Port: uptr(uint(port))}})
	}
	if len(r.dom.Devices.Serials) > 0 {
		// libvirt mirrors the first serial port as the console of HVM guests.
		first := r.dom.Devices.Serials[0]
		r.dom.Devices.Consoles = append(r.dom.Devices.Consoles, libvirtxml.DomainConsole{
			Source: first.Source, Target: &libvirtxml.DomainConsoleTarget{Type: "serial", Port: first.Target.Port},
		})
	}
	return nil
}

func (r *reader) os() error {
	os := r.dom.OS
	cmdline := r.str("cmdline")
	if cmdline == "" {
		root, extra := r.str("root"), r.str("extra")
		switch {
		case root != "" && extra != "":
			cmdline = "root=" + root + " " + extra
		case root != "":
			cmdline = "root=" + root
		default:
			cmdline = extra
		}
	}
	os.Kernel, os.Initrd, os.Cmdline = r.str("kernel"), r.str("ramdisk"), cmdline
	if !r.hvm() {
		r.dom.Bootloader, r.dom.BootloaderArgs = r.str("bootloader"), r.str("bootargs")
		return nil
	}
	if r.str("bios") == "ovmf" {
		os.Loader = &libvirtxml.DomainLoader{Type: "pflash", Readonly: "yes", Path: "/usr/lib/xen/boot/ovmf.bin"}
	} else {
		os.Loader = &libvirtxml.DomainLoader{Type: "rom", Format: "raw", Path: HVMLoader}
	}
	if t := r.str("acpi_firmware"); t != "" {
		os.ACPI = &libvirtxml.DomainACPI{Tables: []libvirtxml.DomainACPITable{{Type: "slic", Path: t}}}
	}
	boot := r.str("boot")
	if boot == "" {
		boot = "c"
	}
	for i, c := range boot {
		if i >= 4 {
			break
		}
		dev := map[rune]string{'a': "fd", 'd': "cdrom", 'n': "network"}[c]
		if dev == "" {
			dev = "hd"
		}
		os.BootDevices = append(os.BootDevices, libvirtxml.DomainBootDevice{Dev: dev})
	}
	if _, ok := r.cfg.Get("nestedhvm"); ok {
		nested, err := r.flag("nestedhvm", false)
		if err != nil {
			return err
		}
		r.dom.CPU = &libvirtxml.DomainCPU{Mode: "host-passthrough"}
		if !nested {
			r.dom.CPU.Features = append(r.dom.CPU.Features, libvirtxml.DomainCPUFeature{Policy: "disable", Name: "vmx"})
		}
	}
	return nil
}

func (r *reader) xenbus() error {
	c := libvirtxml.DomainController{Type: "xenbus", Index: uptr(0)}
	events, err := r.cfg.Uint("max_event_channels", 0)
	if err != nil {
		return err
	}
	frames, err := r.cfg.Uint("max_grant_frames", 0)
	if err != nil {
		return err
	}
	if events > 0 || frames > 0 {
		c.XenBus = &libvirtxml.DomainControllerXenBus{MaxEventChannels: uint(events), MaxGrantFrames: uint(frames)}
	}
	r.dom.Devices.Controllers = append(r.dom.Devices.Controllers, c)
	return nil
}

func (r *reader) disks() error {
	v, ok := r.cfg.Get("disk")
	if !ok || v.Kind != List {
		return nil
	}
	for _, item := range v.List {
		if item.Kind != String {
			continue
		}
		spec, err := ParseDisk(item.Str)
		if err != nil {
			return err
		}
		d, err := DiskToXML(spec, r.hvm())
		if err != nil {
			return err
		}
		r.dom.Devices.Disks = append(r.dom.Devices.Disks, *d)
	}
	return r.assignDriveAddresses()
}

// DiskToXML converts a disk specification to a <disk> (libvirt's
// xenParseXLDisk); hvm decides the bus of hdX and sdX devices.
func DiskToXML(s DiskSpec, hvm bool) (*libvirtxml.DomainDisk, error) {
	d := &libvirtxml.DomainDisk{Device: "disk", Target: &libvirtxml.DomainDiskTarget{Dev: s.Vdev}}
	if s.Access == "ro" {
		d.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
	} else if s.Access == "!" {
		d.Shareable = &libvirtxml.DomainDiskShareable{}
	}
	block := false
	if s.DevType == "cdrom" {
		d.Device = "cdrom"
		d.Driver = &libvirtxml.DomainDiskDriver{Name: "qemu"}
		if s.Target != "" {
			d.Driver.Type = "raw"
		}
	} else {
		format := s.Format
		switch format {
		case "", "raw":
			format = "raw"
		case "qcow", "qcow2", "vhd", "qed":
		case "empty":
			format = ""
		default:
			return nil, fmt.Errorf("unsupported configuration: disk image format not supported: %s", format)
		}
		d.Driver = &libvirtxml.DomainDiskDriver{Type: format}
		switch s.BackendType {
		case "", "qdisk":
			d.Driver.Name = "qemu"
		case "tap":
			d.Driver.Name = "tap"
		case "phy":
			d.Driver.Name = "phy"
			block = true
		default:
			return nil, fmt.Errorf("unsupported configuration: disk backend not supported: %s", s.BackendType)
		}
	}
	if s.Target != "" {
		if block {
			d.Source = &libvirtxml.DomainDiskSource{Block: &libvirtxml.DomainDiskSourceBlock{Dev: s.Target}}
		} else {
			d.Source = &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: s.Target}}
		}
	}
	switch {
	case strings.HasPrefix(s.Vdev, "xvd") || !hvm:
		d.Target.Bus = "xen"
	case strings.HasPrefix(s.Vdev, "sd"):
		d.Target.Bus = "scsi"
	default:
		d.Target.Bus = "ide"
	}
	return d, nil
}

// DiskIndex is the index of a disk name's letters: xvda 0, hdb 1, sdaa 26.
func DiskIndex(dev string) (int, bool) {
	for _, p := range []string{"xvd", "hd", "sd", "vd"} {
		if letters, ok := strings.CutPrefix(dev, p); ok && letters != "" {
			idx := 0
			for _, c := range letters {
				if c < 'a' || c > 'z' {
					return 0, false
				}
				idx = idx*26 + int(c-'a') + 1
			}
			return idx - 1, true
		}
	}
	return 0, false
}

// assignDriveAddresses gives IDE and SCSI disks drive addresses and adds
// their controllers, as libvirt's post-parse does.
func (r *reader) assignDriveAddresses() error {
	need := map[string]bool{}
	for i := range r.dom.Devices.Disks {
		d := &r.dom.Devices.Disks[i]
		idx, ok := DiskIndex(d.Target.Dev)
		if !ok {
			continue
		}
		var ctl, bus, unit uint
		switch d.Target.Bus {
		case "ide":
			ctl, bus, unit = uint(idx/4), uint(idx%4/2), uint(idx%2)
		case "scsi":
			ctl, bus, unit = uint(idx/7), 0, uint(idx%7)
		default:
			continue
		}
		d.Address = &libvirtxml.DomainAddress{Drive: &libvirtxml.DomainAddressDrive{Controller: uptr(ctl), Bus: uptr(bus), Target: uptr(0), Unit: uptr(unit)}}
		need[d.Target.Bus] = true
	}
	for _, bus := range []string{"ide", "scsi"} {
		if need[bus] {
			r.dom.Devices.Controllers = append(r.dom.Devices.Controllers, libvirtxml.DomainController{Type: bus, Index: uptr(0)})
		}
	}
	return nil
}

func (r *reader) spice() error {
	if !r.hvm() {
		return nil
	}
	if on, err := r.flag("spice", false); err != nil || !on {
		return err
	}
	sp := &libvirtxml.DomainGraphicSpice{}
	if h := r.str("spicehost"); h != "" {
		sp.Listen = h
		sp.Listeners = []libvirtxml.DomainGraphicListener{{Address: &libvirtxml.DomainGraphicListenerAddress{Address: h}}}
	}
	tls, err := r.cfg.Uint("spicetls_port", 0)
	if err != nil {
		return err
	}
	port, err := r.cfg.Uint("spiceport", 0)
	if err != nil {
		return err
	}
	sp.Port, sp.TLSPort = int(port), int(tls)
	if port == 0 && tls == 0 {
		sp.AutoPort = "yes"
	}
	if noTicket, err := r.flag("spicedisable_ticketing", false); err != nil {
		return err
	} else if !noTicket {
		pw, ok := r.cfg.String("spicepasswd")
		if !ok {
			return fmt.Errorf("internal error: config value spicepasswd was missing")
		}
		sp.Passwd = pw
	}
	mode := "server"
	if m, err := r.flag("spiceagent_mouse", false); err != nil {
		return err
	} else if m {
		mode = "client"
	}
	sp.Mouse = &libvirtxml.DomainGraphicSpiceMouse{Mode: mode}
	copyPaste := "no"
	if c, err := r.flag("spice_clipboard_sharing", false); err != nil {
		return err
	} else if c {
		copyPaste = "yes"
	}
	sp.ClipBoard = &libvirtxml.DomainGraphicSpiceClipBoard{CopyPaste: copyPaste}
	r.dom.Devices.Graphics = append(r.dom.Devices.Graphics, libvirtxml.DomainGraphic{Spice: sp})
	return nil
}

func (r *reader) usbInputs() error {
	if !r.hvm() {
		return nil
	}
	for _, s := range r.cfg.Strings("usbdevice") {
		switch s {
		case "mouse", "tablet", "keyboard":
			r.dom.Devices.Inputs = append(r.dom.Devices.Inputs, libvirtxml.DomainInput{Type: s, Bus: "usb"})
		}
	}
	return nil
}

func (r *reader) usbHostdevs() error {
	for _, entry := range r.cfg.Strings("usbdev") {
		kv := map[string]string{}
		for _, tok := range strings.Split(entry, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(tok), "="); ok {
				kv[k] = v
			}
		}
		bus, err1 := strconv.ParseUint(kv["hostbus"], 16, 32)
		dev, err2 := strconv.ParseUint(kv["hostaddr"], 16, 32)
		if err1 != nil || err2 != nil {
			continue // as libvirt: skipped
		}
		r.dom.Devices.Hostdevs = append(r.dom.Devices.Hostdevs, libvirtxml.DomainHostdev{Managed: "no", SubsysUSB: &libvirtxml.DomainHostdevSubsysUSB{
			Source: &libvirtxml.DomainHostdevSubsysUSBSource{Address: &libvirtxml.DomainAddressUSB{Bus: uptr(uint(bus)), Device: uptr(uint(dev))}},
		}})
	}
	return nil
}

func (r *reader) usbControllers() error {
	for _, entry := range r.cfg.Strings("usbctrl") {
		kv := map[string]string{}
		for _, tok := range strings.Split(entry, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(tok), "="); ok {
				kv[k] = v
			}
		}
		if t := kv["type"]; t != "" && !strings.HasPrefix(t, "qusb") {
			continue
		}
		model := "qusb2"
		if kv["version"] == "1" {
			model = "qusb1"
		}
		ports := uint64(8)
		if p, ok := kv["ports"]; ok {
			n, err := strconv.ParseUint(p, 16, 32)
			if err != nil {
				continue
			}
			ports = n
		}
		r.dom.Devices.Controllers = append(r.dom.Devices.Controllers, libvirtxml.DomainController{
			Type: "usb", Model: model, USB: &libvirtxml.DomainControllerUSB{Port: uptr(uint(ports))},
		})
	}
	return nil
}

func (r *reader) channels() error {
	for _, entry := range r.cfg.Strings("channel") {
		kv := map[string]string{}
		for _, tok := range strings.Split(entry, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(tok), "="); ok {
				kv[k] = v
			}
		}
		ch := libvirtxml.DomainChannel{Target: &libvirtxml.DomainChannelTarget{Xen: &libvirtxml.DomainChannelTargetXen{Name: kv["name"]}}}
		switch {
		case strings.HasPrefix(kv["connection"], "socket"):
			ch.Source = &libvirtxml.DomainChardevSource{UNIX: &libvirtxml.DomainChardevSourceUNIX{Mode: "bind", Path: kv["path"]}}
		case strings.HasPrefix(kv["connection"], "pty"):
			ch.Source = &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}}
		default:
			return fmt.Errorf("internal error: channel '%s' has an unknown connection (pty or socket)", entry)
		}
		r.dom.Devices.Channels = append(r.dom.Devices.Channels, ch)
	}
	return nil
}

// implicit adds what libvirt's post-parse adds to every Xen domain: a
// mouse and a keyboard, a video device when there is graphics (or, for
// HVM, the card vga= names), and the
// Xen memory balloon.
func (r *reader) implicit() error {
	bus := "xen"
	if r.hvm() {
		bus = "ps2"
	}
	d := r.dom.Devices
	d.Inputs = append(d.Inputs, libvirtxml.DomainInput{Type: "mouse", Bus: bus}, libvirtxml.DomainInput{Type: "keyboard", Bus: bus})
	if r.hvm() {
		model, err := r.video()
		if err != nil {
			return err
		}
		if model != nil {
			d.Videos = append(d.Videos, libvirtxml.DomainVideo{Model: *model})
		}
	} else if len(d.Graphics) > 0 {
		d.Videos = append(d.Videos, libvirtxml.DomainVideo{Model: libvirtxml.DomainVideoModel{Type: "xen", Heads: 1, Primary: "yes"}})
	}
	d.MemBalloon = &libvirtxml.DomainMemBalloon{Model: "xen"}
	return nil
}
