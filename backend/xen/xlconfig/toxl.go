package xlconfig

import (
	"fmt"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Options are what a conversion needs from the host.
type Options struct {
	// NetworkBridge returns the bridge of a virtual network, for an
	// <interface type='network'>; nil when no network driver is reachable.
	NetworkBridge func(network string) (string, error)
}

// DefaultVifScript is the hotplug script of bridged vifs (libvirt's
// DEFAULT_VIF_SCRIPT).
const DefaultVifScript = "vif-bridge"

// GuestKind is the Xen guest type: pv, pvh or hvm.
func GuestKind(dom *libvirtxml.Domain) (string, error) {
	t := ""
	if dom.OS != nil && dom.OS.Type != nil {
		t = dom.OS.Type.Type
	}
	switch t {
	case "", "linux", "xen":
		return "pv", nil
	case "xenpvh":
		return "pvh", nil
	case "hvm":
		return "hvm", nil
	}
	return "", fmt.Errorf("unsupported configuration: OS type '%s' is not supported by Xen (use linux, xenpvh or hvm)", t)
}

// ToXL converts a domain definition to an xl configuration, setting for
// setting as libvirt's xenFormatXL does.
func ToXL(dom *libvirtxml.Domain, opts Options) (*Config, error) {
	if dom.Type != "xen" {
		return nil, fmt.Errorf("unsupported configuration: domain type '%s' cannot run on Xen: use <domain type='xen'>", dom.Type)
	}
	kind, err := GuestKind(dom)
	if err != nil {
		return nil, err
	}
	w := &writer{dom: dom, hvm: kind == "hvm", kind: kind, cfg: &Config{}, opts: opts}
	for _, step := range []func() error{
		w.meta, w.memory, w.cpus, w.features, w.clock, w.lifecycle, w.emulator,
		w.vfb, w.video, w.vifs, w.pci, w.chardevs, w.sound, w.os, w.xenbus, w.disks,
		w.spice, w.usbInputs, w.usbHostdevs, w.usbControllers, w.channels,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return w.cfg, nil
}

type writer struct {
	dom  *libvirtxml.Domain
	hvm  bool
	kind string
	cfg  *Config
	opts Options
}

func (w *writer) str(key, v string) {
	if v != "" {
		w.cfg.Set(key, Str(v))
	}
}

func (w *writer) num(key string, n int64) { w.cfg.Set(key, Num(n)) }

func (w *writer) boolNum(key string, on bool) {
	if on {
		w.num(key, 1)
	} else {
		w.num(key, 0)
	}
}

func (w *writer) meta() error {
	if w.dom.Name == "" {
		return fmt.Errorf("XML error: missing domain name")
	}
	w.str("name", w.dom.Name)
	w.str("uuid", w.dom.UUID)
	return nil
}

func (w *writer) memory() error {
	if w.dom.Memory == nil {
		return fmt.Errorf("XML error: missing <memory>")
	}
	total, err := KiB(w.dom.Memory.Value, w.dom.Memory.Unit)
	if err != nil {
		return err
	}
	cur := total
	if w.dom.CurrentMemory != nil {
		if cur, err = KiB(w.dom.CurrentMemory.Value, w.dom.CurrentMemory.Unit); err != nil {
			return err
		}
	}
	w.num("maxmem", int64((total+1023)/1024))
	w.num("memory", int64((cur+1023)/1024))
	return nil
}

func (w *writer) cpus() error {
	max, cur := uint(1), uint(0)
	if v := w.dom.VCPU; v != nil {
		max, cur = v.Value, v.Current
		if v.CPUSet != "" {
			defer w.str("cpus", v.CPUSet)
		}
	}
	if cur == 0 || cur > max {
		cur = max
	}
	if cur < max {
		w.num("maxvcpus", int64(max))
	}
	w.num("vcpus", int64(cur))
	return nil
}

func on(s string) bool { return s == "" || s == "on" || s == "yes" }

func (w *writer) features() error {
	f := w.dom.Features
	if f == nil {
		f = &libvirtxml.DomainFeatureList{}
	}
	if w.hvm {
		w.boolNum("pae", f.PAE != nil)
		w.boolNum("acpi", f.ACPI != nil)
		w.boolNum("apic", f.APIC != nil)
		if f.HAP != nil && f.HAP.State == "off" {
			w.num("hap", 0)
		}
		w.boolNum("viridian", f.Viridian != nil)
	} else if f.Xen != nil && f.Xen.E820Host != nil && f.Xen.E820Host.State == "on" {
		w.num("e820_host", 1)
	}
	if f.Xen != nil && f.Xen.Passthrough != nil && f.Xen.Passthrough.State == "on" {
		mode := f.Xen.Passthrough.Mode
		if mode == "" {
			mode = "enabled"
		}
		w.str("passthrough", mode)
	}
	if w.dom.Clock == nil {
		return nil
	}
	for _, t := range w.dom.Clock.Timer {
		switch t.Name {
		case "tsc":
			mode := map[string]string{"native": "native", "paravirt": "native_paravirt", "emulate": "always_emulate"}[t.Mode]
			if mode == "" {
				mode = "default"
			}
			w.str("tsc_mode", mode)
		case "hpet":
			if !w.hvm {
				return fmt.Errorf("unsupported configuration: unsupported timer type (name) 'hpet'")
			}
			w.boolNum("hpet", t.Present != "no")
		default:
			return fmt.Errorf("unsupported configuration: unsupported timer type (name) '%s'", t.Name)
		}
	}
	return nil
}

func (w *writer) clock() error {
	c := w.dom.Clock
	if c == nil {
		c = &libvirtxml.DomainClock{Offset: "utc"}
	}
	localtime := int64(0)
	if w.hvm {
		offset := int64(0)
		switch c.Offset {
		case "variable":
			if c.Basis == "localtime" {
				localtime = 1
			}
			if c.Adjustment != "" && c.Adjustment != "reset" {
				n, err := strconv.ParseInt(c.Adjustment, 10, 64)
				if err != nil {
					return fmt.Errorf("XML error: invalid clock adjustment '%s'", c.Adjustment)
				}
				offset = n
			}
		case "", "utc", "localtime":
			if c.Adjustment == "reset" {
				return fmt.Errorf("unsupported configuration: unsupported clock adjustment='reset'")
			}
			if c.Offset == "localtime" {
				localtime = 1
			}
		default:
			return fmt.Errorf("unsupported configuration: unsupported clock offset='%s'", c.Offset)
		}
		w.num("rtc_timeoffset", offset)
	} else {
		switch c.Offset {
		case "", "utc":
		case "localtime":
			localtime = 1
		default:
			return fmt.Errorf("unsupported configuration: unsupported clock offset='%s'", c.Offset)
		}
	}
	w.num("localtime", localtime)
	return nil
}

func (w *writer) lifecycle() error {
	for _, a := range []struct{ key, v, def string }{
		{"on_poweroff", w.dom.OnPoweroff, "destroy"},
		{"on_reboot", w.dom.OnReboot, "restart"},
		{"on_crash", w.dom.OnCrash, "destroy"},
	} {
		v := a.v
		if v == "" {
			v = a.def
		}
		w.str(a.key, v)
	}
	return nil
}

func (w *writer) emulator() error {
	if w.dom.Devices != nil {
		w.str("device_model_override", w.dom.Devices.Emulator)
	}
	return nil
}

func (w *writer) devices() *libvirtxml.DomainDeviceList {
	if w.dom.Devices == nil {
		return &libvirtxml.DomainDeviceList{}
	}
	return w.dom.Devices
}

// graphicsListen returns the first listen address of a graphics device.
func graphicsListen(attr string, ls []libvirtxml.DomainGraphicListener) string {
	for _, l := range ls {
		if l.Address != nil && l.Address.Address != "" {
			return l.Address.Address
		}
	}
	return attr
}

func (w *writer) vfb() error {
	gs := w.devices().Graphics
	if len(gs) != 1 || gs[0].Spice != nil {
		return nil
	}
	g := gs[0]
	if g.SDL == nil && g.VNC == nil {
		return fmt.Errorf("unsupported configuration: only VNC, SDL and SPICE graphics are supported by Xen")
	}
	if w.hvm {
		if g.SDL != nil {
			w.num("sdl", 1)
			w.num("vnc", 0)
			w.str("display", g.SDL.Display)
			w.str("xauthority", g.SDL.XAuth)
			return nil
		}
		v := g.VNC
		autoport := v.AutoPort == "yes" || v.Port <= 0
		w.num("sdl", 0)
		w.num("vnc", 1)
		w.boolNum("vncunused", autoport)
		if !autoport {
			w.num("vncdisplay", int64(v.Port-5900))
		}
		w.str("vnclisten", graphicsListen(v.Listen, v.Listeners))
		w.str("vncpasswd", v.Passwd)
		w.str("keymap", v.Keymap)
		return nil
	}
	var s string
	if g.SDL != nil {
		s = "type=sdl"
		if g.SDL.Display != "" {
			s += ",display=" + g.SDL.Display
		}
		if g.SDL.XAuth != "" {
			s += ",xauthority=" + g.SDL.XAuth
		}
	} else {
		v := g.VNC
		autoport := v.AutoPort == "yes" || v.Port <= 0
		s = "type=vnc,vncunused=0"
		if autoport {
			s = "type=vnc,vncunused=1"
		} else {
			s += ",vncdisplay=" + strconv.Itoa(v.Port-5900)
		}
		if l := graphicsListen(v.Listen, v.Listeners); l != "" {
			s += ",vnclisten=" + l
		}
		if v.Passwd != "" {
			s += ",vncpasswd=" + v.Passwd
		}
		if v.Keymap != "" {
			s += ",keymap=" + v.Keymap
		}
	}
	w.cfg.Set("vfb", Strs(s))
	return nil
}

func (w *writer) vifs() error {
	var list []string
	for _, nic := range w.devices().Interfaces {
		v, err := VifFromInterface(&nic, w.hvm, w.opts)
		if err != nil {
			return err
		}
		list = append(list, v.String())
	}
	if list != nil {
		w.cfg.Set("vif", Strs(list...))
	}
	return nil
}

// VifFromInterface converts one <interface> to a vif specification
// (libvirt's xenFormatNet); hvm tells how a netfront model is written.
func VifFromInterface(nic *libvirtxml.DomainInterface, hvm bool, opts Options) (VifSpec, error) {
	var v VifSpec
	if nic.MAC != nil {
		v.MAC = nic.MAC.Address
	}
	script := ""
	if nic.Script != nil {
		script = nic.Script.Path
	}
	var ips []string
	for _, ip := range nic.IP {
		ips = append(ips, ip.Address)
	}
	src := nic.Source
	switch {
	case src != nil && src.Bridge != nil:
		if src.Bridge.Bridge == "" {
			return v, fmt.Errorf("unsupported configuration: <interface type='bridge'> needs <source bridge='NAME'/>")
		}
		v.Bridge = src.Bridge.Bridge
		if nic.VirtualPort != nil && nic.VirtualPort.Params != nil && nic.VirtualPort.Params.OpenVSwitch != nil {
			if script == "" {
				script = "vif-openvswitch"
			}
			if nic.VLan != nil && len(nic.VLan.Tags) > 0 {
				if nic.VLan.Trunk == "yes" {
					for _, t := range nic.VLan.Tags {
						v.Bridge += ":" + strconv.Itoa(int(t.ID))
					}
				} else {
					v.Bridge += "." + strconv.Itoa(int(nic.VLan.Tags[0].ID))
				}
			}
		}
		if script == "" {
			script = DefaultVifScript
		}
		v.Script = script
		v.IP = strings.Join(ips, " ")
	case src != nil && src.Ethernet != nil || src == nil && nicType(nic) == "ethernet":
		v.Script = script
		v.IP = strings.Join(ips, " ")
	case src != nil && src.Network != nil:
		if opts.NetworkBridge == nil {
			return v, fmt.Errorf("unsupported configuration: <interface type='network'> (network '%s') needs a network driver to resolve the network's bridge", src.Network.Network)
		}
		br, err := opts.NetworkBridge(src.Network.Network)
		if err != nil {
			return v, err
		}
		v.Bridge, v.Script = br, DefaultVifScript
	default:
		return v, fmt.Errorf("unsupported configuration: Unsupported net type '%s'", nicType(nic))
	}
	if nic.Model != nil && nic.Model.Type != "" {
		if hvm && nic.Model.Type == "netfront" {
			v.Type = "vif"
		} else {
			v.Model = nic.Model.Type
		}
	}
	if nic.Target != nil {
		v.VifName = nic.Target.Dev
	}
	if nic.Bandwidth != nil && nic.Bandwidth.Outbound != nil && nic.Bandwidth.Outbound.Average != nil && *nic.Bandwidth.Outbound.Average > 0 {
		v.Rate = strconv.Itoa(int(*nic.Bandwidth.Outbound.Average)) + "KB/s"
	}
	return v, nil
}

// nicType names an interface's type from its source, as the XML would.
func nicType(nic *libvirtxml.DomainInterface) string {
	s := nic.Source
	switch {
	case s == nil:
		return "ethernet"
	case s.Bridge != nil:
		return "bridge"
	case s.Network != nil:
		return "network"
	case s.Ethernet != nil:
		return "ethernet"
	case s.User != nil:
		return "user"
	case s.Direct != nil:
		return "direct"
	case s.VHostUser != nil:
		return "vhostuser"
	case s.Hostdev != nil:
		return "hostdev"
	}
	return "unknown"
}

func (w *writer) pci() error {
	var list []string
	for _, h := range w.devices().Hostdevs {
		p := h.SubsysPCI
		if p == nil || p.Source == nil || p.Source.Address == nil {
			continue
		}
		a := p.Source.Address
		s := fmt.Sprintf("%04x:%02x:%02x.%x", deref(a.Domain), deref(a.Bus), deref(a.Slot), deref(a.Function))
		switch p.Source.WriteFiltering {
		case "yes":
			s += ",permissive=0"
		case "no":
			s += ",permissive=1"
		}
		list = append(list, s)
	}
	if list != nil {
		w.cfg.Set("pci", Strs(list...))
	}
	return nil
}

func deref(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// chardevString formats a character device source as xl's serial and
// parallel settings take it (libvirt's xenFormatSxprChr).
func chardevString(src *libvirtxml.DomainChardevSource) (string, error) {
	switch {
	case src == nil || src.Pty != nil:
		return "pty", nil
	case src.Null != nil:
		return "null", nil
	case src.VC != nil:
		return "vc", nil
	case src.StdIO != nil:
		return "stdio", nil
	case src.File != nil:
		return "file:" + src.File.Path, nil
	case src.Pipe != nil:
		return "pipe:" + src.Pipe.Path, nil
	case src.Dev != nil:
		return src.Dev.Path, nil
	case src.TCP != nil:
		s := "tcp:" + src.TCP.Host + ":" + src.TCP.Service
		if src.TCP.Mode == "bind" {
			s += ",server,nowait"
		}
		return s, nil
	case src.UDP != nil:
		return "udp:" + src.UDP.ConnectHost + ":" + src.UDP.ConnectService + "@" + src.UDP.BindHost + ":" + src.UDP.BindService, nil
	case src.UNIX != nil:
		s := "unix:" + src.UNIX.Path
		if src.UNIX.Mode == "bind" {
			s += ",server,nowait"
		}
		return s, nil
	}
	return "", fmt.Errorf("unsupported configuration: unsupported chr device type")
}

func (w *writer) chardevs() error {
	if !w.hvm {
		return nil
	}
	d := w.devices()
	parallel := "none"
	if len(d.Parallels) > 0 {
		s, err := chardevString(d.Parallels[0].Source)
		if err != nil {
			return err
		}
		parallel = s
	}
	w.str("parallel", parallel)
	port := func(s libvirtxml.DomainSerial, i int) int {
		if s.Target != nil && s.Target.Port != nil {
			return int(*s.Target.Port)
		}
		return i
	}
	switch {
	case len(d.Serials) == 0:
		w.str("serial", "none")
	case len(d.Serials) == 1 && port(d.Serials[0], 0) == 0:
		s, err := chardevString(d.Serials[0].Source)
		if err != nil {
			return err
		}
		w.str("serial", s)
	default:
		maxPort := -1
		for i, s := range d.Serials {
			maxPort = max(maxPort, port(s, i))
		}
		list := make([]string, maxPort+1)
		for p := range list {
			list[p] = "none"
			for i, s := range d.Serials {
				if port(s, i) == p {
					str, err := chardevString(s.Source)
					if err != nil {
						return err
					}
					list[p] = str
					break
				}
			}
		}
		w.cfg.Set("serial", Strs(list...))
	}
	return nil
}

func (w *writer) sound() error {
	if !w.hvm || len(w.devices().Sounds) == 0 {
		return nil
	}
	var models []string
	for _, s := range w.devices().Sounds {
		models = append(models, s.Model)
	}
	w.str("soundhw", strings.Join(models, ","))
	return nil
}

func (w *writer) os() error {
	os := w.dom.OS
	if os == nil {
		os = &libvirtxml.DomainOS{}
	}
	if w.hvm {
		w.str("builder", "hvm")
		if os.Loader != nil && os.Loader.Type == "pflash" || os.Firmware == "efi" {
			w.str("bios", "ovmf")
		}
		if os.ACPI != nil && len(os.ACPI.Tables) > 0 {
			w.str("acpi_firmware", os.ACPI.Tables[0].Path)
		}
		w.str("kernel", os.Kernel)
		w.str("ramdisk", os.Initrd)
		w.str("cmdline", os.Cmdline)
		boot := ""
		for _, b := range os.BootDevices {
			boot += map[string]string{"fd": "a", "cdrom": "d", "network": "n"}[b.Dev]
			if b.Dev != "fd" && b.Dev != "cdrom" && b.Dev != "network" {
				boot += "c"
			}
		}
		if boot == "" {
			boot = "c"
		}
		w.str("boot", boot)
		if cpu := w.dom.CPU; cpu != nil && cpu.Mode == "host-passthrough" {
			nested := true
			for _, f := range cpu.Features {
				if (f.Name == "vmx" || f.Name == "svm") && (f.Policy == "disable" || f.Policy == "forbid") {
					nested = false
				}
			}
			w.boolNum("nestedhvm", nested)
		}
		return nil
	}
	if w.kind == "pvh" {
		w.str("type", "pvh")
	}
	w.str("bootloader", w.dom.Bootloader)
	w.str("bootargs", w.dom.BootloaderArgs)
	w.str("kernel", os.Kernel)
	w.str("ramdisk", os.Initrd)
	w.str("cmdline", os.Cmdline)
	return nil
}

func (w *writer) xenbus() error {
	for _, c := range w.devices().Controllers {
		if c.Type == "xenbus" && c.XenBus != nil {
			if c.XenBus.MaxEventChannels > 0 {
				w.num("max_event_channels", int64(c.XenBus.MaxEventChannels))
			}
			if c.XenBus.MaxGrantFrames > 0 {
				w.num("max_grant_frames", int64(c.XenBus.MaxGrantFrames))
			}
		}
	}
	return nil
}

func (w *writer) disks() error {
	var list []string
	for _, d := range w.devices().Disks {
		if d.Device == "floppy" {
			continue
		}
		spec, err := DiskFromXML(&d)
		if err != nil {
			return err
		}
		list = append(list, spec.String())
	}
	if list != nil {
		w.cfg.Set("disk", Strs(list...))
	}
	return nil
}

// DiskFromXML converts one <disk> to a disk specification (libvirt's
// xenFormatXLDisk).
func DiskFromXML(d *libvirtxml.DomainDisk) (DiskSpec, error) {
	var s DiskSpec
	if d.Target == nil || d.Target.Dev == "" {
		return s, fmt.Errorf("XML error: disk has no target device")
	}
	s.Vdev = d.Target.Dev
	s.Format = "raw"
	if d.Driver != nil {
		switch d.Driver.Type {
		case "vhd", "qcow", "qcow2", "qed":
			s.Format = d.Driver.Type
		}
		switch d.Driver.Name {
		case "qemu", "file":
			s.BackendType = "qdisk"
		case "tap", "phy":
			s.BackendType = d.Driver.Name
		}
	}
	switch {
	case d.ReadOnly != nil:
		s.Access = "ro"
	case d.Shareable != nil:
		s.Access = "!"
	default:
		s.Access = "rw"
	}
	if d.Transient != nil {
		return s, fmt.Errorf("unsupported configuration: transient disks not supported yet")
	}
	if d.Device == "cdrom" {
		s.DevType = "cdrom"
	}
	if src := d.Source; src != nil {
		switch {
		case src.File != nil:
			s.Target = src.File.File
		case src.Block != nil:
			s.Target = src.Block.Dev
		case src.Dir != nil:
			s.Target = src.Dir.Dir
		case src.Network != nil:
			return s, fmt.Errorf("unsupported configuration: network disks (%s) are not supported by the Xen driver", src.Network.Protocol)
		case src.Volume != nil:
			return s, fmt.Errorf("unsupported configuration: storage pool volumes as disk sources are not supported by the Xen driver")
		}
	}
	return s, nil
}

func (w *writer) spice() error {
	gs := w.devices().Graphics
	if !w.hvm || len(gs) == 0 || gs[0].Spice == nil {
		return nil
	}
	sp := gs[0].Spice
	w.num("sdl", 0)
	w.num("vnc", 0)
	w.num("spice", 1)
	for _, l := range sp.Listeners {
		if l.Address != nil && l.Address.Address != "" {
			w.str("spicehost", l.Address.Address)
			break
		}
	}
	w.num("spiceport", int64(max(sp.Port, 0)))
	w.num("spicetls_port", int64(max(sp.TLSPort, 0)))
	if sp.Passwd != "" {
		w.num("spicedisable_ticketing", 0)
		w.str("spicepasswd", sp.Passwd)
	} else {
		w.num("spicedisable_ticketing", 1)
	}
	if sp.Mouse != nil {
		switch sp.Mouse.Mode {
		case "server":
			w.num("spiceagent_mouse", 0)
		case "client":
			w.num("spiceagent_mouse", 1)
			w.num("spicevdagent", 1)
		}
	}
	if sp.ClipBoard != nil && sp.ClipBoard.CopyPaste == "yes" {
		w.num("spice_clipboard_sharing", 1)
		w.num("spicevdagent", 1)
	}
	return nil
}

func (w *writer) usbInputs() error {
	if !w.hvm {
		return nil
	}
	var devs []string
	for _, in := range w.devices().Inputs {
		if in.Bus != "usb" {
			continue
		}
		w.num("usb", 1)
		switch in.Type {
		case "mouse", "tablet":
			devs = append(devs, in.Type)
		case "keyboard":
			devs = append(devs, "keyboard")
		}
	}
	switch len(devs) {
	case 0:
	case 1:
		w.str("usbdevice", devs[0])
	default:
		w.cfg.Set("usbdevice", Strs(devs...))
	}
	return nil
}

func (w *writer) usbHostdevs() error {
	var list []string
	for _, h := range w.devices().Hostdevs {
		u := h.SubsysUSB
		if u == nil || u.Source == nil || u.Source.Address == nil {
			continue
		}
		list = append(list, fmt.Sprintf("hostbus=%x,hostaddr=%x", deref(u.Source.Address.Bus), deref(u.Source.Address.Device)))
	}
	if list != nil {
		w.cfg.Set("usbdev", Strs(list...))
	}
	return nil
}

func (w *writer) usbControllers() error {
	var list []string
	for _, c := range w.devices().Controllers {
		if c.Type != "usb" {
			continue
		}
		s := ""
		switch c.Model {
		case "":
		case "qusb1":
			s = "type=qusb,version=1,"
		case "qusb2":
			s = "type=qusb,version=2,"
		default:
			return fmt.Errorf("unsupported configuration: USB controller model '%s' is not supported by Xen (use qusb1 or qusb2)", c.Model)
		}
		if c.USB != nil && c.USB.Port != nil {
			s += fmt.Sprintf("ports=%x", *c.USB.Port)
		}
		list = append(list, strings.TrimSuffix(s, ","))
	}
	if list != nil {
		w.cfg.Set("usbctrl", Strs(list...))
	}
	return nil
}

func (w *writer) channels() error {
	var list []string
	for _, ch := range w.devices().Channels {
		if ch.Target == nil || ch.Target.Xen == nil {
			continue
		}
		s := "connection="
		switch {
		case ch.Source == nil || ch.Source.Pty != nil:
			s += "pty,"
		case ch.Source.UNIX != nil:
			s += "socket,"
			if ch.Source.UNIX.Path != "" {
				s += "path=" + ch.Source.UNIX.Path + ","
			}
		default:
			return fmt.Errorf("unsupported configuration: Xen channels are pty or unix sockets")
		}
		list = append(list, s+"name="+ch.Target.Xen.Name)
	}
	if list != nil {
		w.cfg.Set("channel", Strs(list...))
	}
	return nil
}

// KiB converts a libvirt memory size to KiB.
func KiB(v uint, unit string) (uint64, error) {
	n := uint64(v)
	switch strings.ToLower(unit) {
	case "", "k", "kib":
		return n, nil
	case "b", "bytes":
		return (n + 1023) / 1024, nil
	case "kb":
		return n * 1000 / 1024, nil
	case "m", "mib":
		return n << 10, nil
	case "mb":
		return n * 1000000 / 1024, nil
	case "g", "gib":
		return n << 20, nil
	case "gb":
		return n * 1000000000 / 1024, nil
	case "t", "tib":
		return n << 30, nil
	case "tb":
		return n * 1000000000000 / 1024, nil
	}
	return 0, fmt.Errorf("XML error: unknown memory unit '%s'", unit)
}
