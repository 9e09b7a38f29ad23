// Package argv turns a libvirt domain definition into the QEMU command
// line that runs it, the way libvirt's qemu_command.c does: one function
// per part of the definition, devices addressed on the PCI bus the way
// libvirt lays them out, and a clear error for every part of the XML it
// cannot honour, naming the element. It runs nothing: the supervisor
// starts the command, domxml-to-native prints it.
package argv

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// Host is what the command line depends on besides the definition.
type Host struct {
	// Emulator is the QEMU binary used when the XML names none
	// (<devices><emulator>); empty: qemu-system-x86_64 from PATH.
	Emulator string
	// KVM reports whether /dev/kvm is usable; <domain type='kvm'> needs it.
	KVM bool
	// Firmware finds UEFI firmware (code and variables template) for
	// <os firmware='efi'>; nil: look where Debian's ovmf installs it.
	Firmware func() (code, varsTemplate string, err error)
}

// Paths are the per-domain files the command line names.
type Paths struct {
	Monitor string // QMP socket
	Run     string // directory for the domain's other sockets (guest agent)
	NVRAM   string // the domain's UEFI variables file, when the XML names none
}

// Command is a QEMU command line with what the supervisor and the driver
// need to know about it: which node and device names stand for which
// disk, interface and character device.
type Command struct {
	Path string
	Args []string
	Env  []string
	// Taps are the interfaces of type bridge and network, in order: the i-th one's tap
	// file descriptor must be QEMU's fd 3+i (the first ExtraFiles).
	Taps     []Tap
	Disks    []Disk
	NICs     []NIC
	Chardevs []Chardev
	// NVRAM, when set, is the UEFI variables file to create from
	// NVRAMTemplate before the first start.
	NVRAM, NVRAMTemplate string
}

// Tap is an interface of type bridge or network: its tap is plugged into
// host bridge Bridge or a port of virtual network Network, for the
// guest's MAC address.
type Tap struct {
	Index   int // position among the domain's interfaces
	Bridge  string
	Network string
	MAC     string
	Dev     string // <target dev>, empty for a generated vnetN
	MTU     uint
}

// Disk names a disk in QEMU: its format node (query-blockstats,
// query-block) and its device id.
type Disk struct {
	Target, Node, Device, Source string
}

// NIC names an interface in QEMU.
type NIC struct {
	Index          int
	Type, MAC      string
	Netdev, Device string
}

// Chardev is a serial port, console or channel in QEMU.
type Chardev struct {
	Alias string // serial0, console1, channel0
	ID    string // QEMU's chardev id
	Type  string // pty, file, unix
	Path  string // file or socket path; a pty's path is known once QEMU runs
	Name  string // channel target name (org.qemu.guest_agent.0)
}

// builder accumulates the command line while walking the definition.
type builder struct {
	dom   *libvirtxml.Domain
	host  Host
	paths Paths
	cmd   *Command
	q35   bool
	pci   *pciBus
	// head are the machine-wide options, controllers the PCI controllers
	// and buses devices plug into, devices everything else: QEMU needs a
	// bus defined before the devices on it.
	head, controllers, devices []string
	bootIndex                  map[any]int
	usbController              bool
	virtioSerial               bool
	scsiController             bool
	sataController             bool
}

// Build returns the command line running dom.
func Build(dom *libvirtxml.Domain, host Host, paths Paths) (*Command, error) {
	if err := checkSupported(dom); err != nil {
		return nil, err
	}
	b := &builder{dom: dom, host: host, paths: paths, cmd: &Command{}, bootIndex: map[any]int{}}
	steps := []func() error{
		b.emulator, b.machine, b.cpu, b.memory, b.smp, b.identity, b.firmware, b.monitor,
		b.clock, b.lifecycle, b.pmGlobals, b.boot, b.kernel, b.reservePCI, b.pciControllers, b.otherControllers,
		b.videos, b.disks, b.interfaces, b.chardevs, b.inputs, b.graphics, b.balloon, b.rngs, b.panics, b.extraArgs,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	b.cmd.Args = append(append(append(b.cmd.Args, b.head...), b.controllers...), b.devices...)
	b.cmd.Args = append(b.cmd.Args, "-msg", "timestamp=on")
	return b.cmd, nil
}

// machineOf is the domain's machine type, pc unless the XML names one.
func machineOf(dom *libvirtxml.Domain) string {
	if dom.OS != nil && dom.OS.Type != nil && dom.OS.Type.Machine != "" {
		return dom.OS.Type.Machine
	}
	return "pc"
}

// IsQ35 reports whether a machine type is a q35 one (PCI Express).
func IsQ35(machine string) bool {
	return machine == "q35" || strings.HasPrefix(machine, "pc-q35")
}

func (b *builder) add(args ...string)    { b.head = append(b.head, args...) }
func (b *builder) device(args ...string) { b.devices = append(b.devices, args...) }

func unsupported(format string, args ...any) error {
	return backend.ConfigUnsupported(format, args...)
}

func (b *builder) emulator() error {
	path := ""
	if b.dom.Devices != nil {
		path = b.dom.Devices.Emulator
	}
	if path == "" {
		path = b.host.Emulator
	}
	if path == "" {
		found, err := exec.LookPath("qemu-system-x86_64")
		if err != nil {
			return backend.OperationFailed("cannot find qemu-system-x86_64 in PATH: install QEMU (Debian package qemu-system-x86)")
		}
		path = found
	}
	b.cmd.Path = path
	b.cmd.Env = []string{"LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	b.add("-name", "guest="+commaEscape(b.dom.Name)+",debug-threads=on", "-S")
	return nil
}

// machine picks the machine type and accelerator: KVM for type='kvm'
// (an error when /dev/kvm is not usable), TCG for type='qemu'.
func (b *builder) machine() error {
	if b.dom.OS != nil && b.dom.OS.Type != nil {
		if t := b.dom.OS.Type.Type; t != "" && t != "hvm" {
			return unsupported("OS type '%s' is not supported by QEMU; use <type>hvm</type>", t)
		}
		if a := b.dom.OS.Type.Arch; a != "" && a != "x86_64" {
			return unsupported("architecture '%s' is not supported; this driver runs x86_64 guests", a)
		}
	}
	machine := machineOf(b.dom)
	switch {
	case IsQ35(machine):
		b.q35 = true
	case machine == "pc" || strings.HasPrefix(machine, "pc-i440fx") || strings.HasPrefix(machine, "pc-"):
	default:
		return unsupported("machine type '%s' is not supported; use pc or q35 (or a versioned pc-i440fx-*/pc-q35-*)", machine)
	}
	b.pci = newPCIBus(b.q35)
	var accel string
	switch b.dom.Type {
	case "kvm":
		if !b.host.KVM {
			return unsupported("domain type 'kvm' needs /dev/kvm, which is missing or not usable on this host; use <domain type='qemu'> for TCG emulation")
		}
		accel = "kvm"
	case "qemu":
		accel = "tcg"
	default:
		return unsupported("domain type '%s' is not supported by the QEMU driver; use 'kvm' or 'qemu'", b.dom.Type)
	}
	opts := append([]string{machine, "usb=off", "dump-guest-core=off"}, machineFeatures(b.dom)...)
	if b.dom.Features == nil || b.dom.Features.ACPI == nil {
		opts = append(opts, "acpi=off")
	}
	b.add("-machine", strings.Join(opts, ","), "-accel", accel)
	return nil
}

// cpu maps <cpu mode=...> to -cpu: host-passthrough and host-model need
// KVM's view of the host CPU; a custom model takes its features.
func (b *builder) cpu() error {
	c := b.dom.CPU
	model := "qemu64"
	if c != nil {
		switch c.Mode {
		case "host-passthrough", "maximum":
			if b.dom.Type != "kvm" {
				if c.Mode == "host-passthrough" {
					return unsupported("CPU mode 'host-passthrough' needs <domain type='kvm'>; use mode='maximum' or a custom model with TCG")
				}
				model = "max"
			} else {
				model = "host"
				if c.Mode == "maximum" {
					model = "max"
				}
			}
		case "host-model":
			model = "max"
			if b.dom.Type == "kvm" {
				model = "host"
			}
		case "", "custom":
			if c.Model != nil && c.Model.Value != "" {
				model = c.Model.Value
			}
		default:
			return unsupported("CPU mode '%s' is not supported", c.Mode)
		}
		for _, f := range c.Features {
			switch f.Policy {
			case "require", "force", "":
				model += ",+" + f.Name
			case "disable", "forbid":
				model += ",-" + f.Name
			case "optional":
				// libvirt leaves optional features to the model.
			default:
				return unsupported("CPU feature policy '%s' is not supported", f.Policy)
			}
		}
	}
	b.add("-cpu", model)
	return nil
}

// memory: -m from <memory>; currentMemory is reached through the balloon
// once the guest runs.
func (b *builder) memory() error {
	if b.dom.Memory == nil {
		return unsupported("the domain has no <memory> element")
	}
	kib, err := KiB(uint64(b.dom.Memory.Value), b.dom.Memory.Unit)
	if err != nil {
		return err
	}
	if kib < 1024 {
		return unsupported("memory size %d KiB is too small; give at least 1 MiB", kib)
	}
	b.add("-m", fmt.Sprintf("size=%dk", kib))
	return nil
}

// smp: <vcpu current='N'>M</vcpu> becomes -smp N,maxcpus=M with the
// topology of <cpu><topology> (sockets=M otherwise, as libvirt).
func (b *builder) smp() error {
	max, cur := VCPUs(b.dom)
	if max == 0 {
		return unsupported("<vcpu> must be at least 1")
	}
	if cur > max {
		return unsupported("<vcpu current='%d'> exceeds the maximum of %d", cur, max)
	}
	sockets, cores, threads := max, 1, 1
	if b.dom.CPU != nil && b.dom.CPU.Topology != nil {
		t := b.dom.CPU.Topology
		sockets, cores, threads = t.Sockets, t.Cores, t.Threads
		if t.Dies > 1 || t.Clusters > 1 {
			return unsupported("CPU topology with dies or clusters is not supported")
		}
		if sockets*cores*threads != max {
			return unsupported("CPU topology %d sockets × %d cores × %d threads does not match %d vCPUs", sockets, cores, threads, max)
		}
	}
	smp := strconv.Itoa(cur)
	if cur != max {
		smp += ",maxcpus=" + strconv.Itoa(max)
	}
	b.add("-smp", fmt.Sprintf("%s,sockets=%d,cores=%d,threads=%d", smp, sockets, cores, threads))
	return nil
}

func (b *builder) identity() error {
	if b.dom.UUID != "" {
		b.add("-uuid", b.dom.UUID)
	}
	if b.dom.Devices == nil || len(b.dom.Devices.Graphics) == 0 {
		b.add("-display", "none")
	}
	b.add("-no-user-config", "-nodefaults")
	return nil
}

func (b *builder) monitor() error {
	b.add("-chardev", "socket,id=charmonitor,path="+commaEscape(b.paths.Monitor)+",server=on,wait=off",
		"-mon", "chardev=charmonitor,id=monitor,mode=control")
	return nil
}

func (b *builder) clock() error {
	base := "utc"
	if c := b.dom.Clock; c != nil {
		switch c.Offset {
		case "", "utc":
		case "localtime":
			base = "localtime"
		default:
			return unsupported("clock offset '%s' is not supported; use utc or localtime", c.Offset)
		}
		for _, t := range c.Timer {
			switch t.Name {
			case "rtc":
				if t.TickPolicy == "catchup" {
					base += ",driftfix=slew"
				}
			case "pit", "hpet", "kvmclock", "tsc":
				// QEMU's defaults; libvirt only tunes them.
			default:
				return unsupported("timer '%s' is not supported", t.Name)
			}
		}
	}
	b.add("-rtc", "base="+base)
	return nil
}

// lifecycle: QEMU stops instead of exiting on a guest power-off, so the
// supervisor applies on_poweroff; on_reboot='destroy' turns a reboot into
// a power-off, as libvirt does.
func (b *builder) lifecycle() error {
	for elem, action := range map[string]string{"on_poweroff": b.dom.OnPoweroff, "on_reboot": b.dom.OnReboot, "on_crash": b.dom.OnCrash} {
		switch action {
		case "", "destroy", "restart", "preserve":
		case "rename-restart", "coredump-destroy", "coredump-restart":
			if elem != "on_crash" {
				return unsupported("<%s>%s</%s> is not a valid action", elem, action, elem)
			}
			return unsupported("<on_crash>%s</on_crash> is not supported; use destroy, restart or preserve", action)
		default:
			return unsupported("<%s>%s</%s> is not supported; use destroy, restart or preserve", elem, action, elem)
		}
	}
	b.add("-no-shutdown")
	if b.dom.OnReboot == "destroy" {
		b.add("-no-reboot")
	}
	return nil
}

func (b *builder) kernel() error {
	os := b.dom.OS
	if os == nil {
		return nil
	}
	if os.Kernel != "" {
		b.add("-kernel", os.Kernel)
	}
	if os.Initrd != "" {
		b.add("-initrd", os.Initrd)
	}
	if os.Cmdline != "" {
		b.add("-append", os.Cmdline)
	}
	if os.Kernel == "" && (os.Initrd != "" || os.Cmdline != "") {
		return unsupported("<initrd> and <cmdline> need a <kernel>")
	}
	return nil
}

// extraArgs appends <qemu:commandline> arguments and environment.
func (b *builder) extraArgs() error {
	if q := b.dom.QEMUCommandline; q != nil {
		for _, a := range q.Args {
			b.device(a.Value)
		}
		for _, e := range q.Envs {
			b.cmd.Env = append(b.cmd.Env, e.Name+"="+e.Value)
		}
	}
	return nil
}

// commaEscape doubles commas, QEMU's escape inside an option value.
func commaEscape(s string) string { return strings.ReplaceAll(s, ",", ",,") }

// KiB converts a libvirt memory value with its unit to KiB.
func KiB(v uint64, unit string) (uint64, error) {
	mult := map[string]float64{
		"": 1, "k": 1, "KiB": 1, "KB": 1000.0 / 1024, "b": 1.0 / 1024, "bytes": 1.0 / 1024,
		"M": 1024, "MiB": 1024, "MB": 1e6 / 1024, "G": 1 << 20, "GiB": 1 << 20, "GB": 1e9 / 1024,
		"T": 1 << 30, "TiB": 1 << 30, "TB": 1e12 / 1024,
	}
	m, ok := mult[unit]
	if !ok {
		return 0, unsupported("unknown memory unit '%s'", unit)
	}
	return uint64(float64(v)*m + 0.5), nil
}

// VCPUs returns the maximum and current vCPU counts of dom (1 when unset).
func VCPUs(dom *libvirtxml.Domain) (max, cur int) {
	max = 1
	if dom.VCPU != nil {
		max = int(dom.VCPU.Value)
	}
	cur = max
	if dom.VCPU != nil && dom.VCPU.Current != 0 {
		cur = int(dom.VCPU.Current)
	}
	return max, cur
}

// fileExists is a variable so tests can pretend firmware is installed.
var fileExists = func(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
