package xen

import (
	"context"

	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// describeRunning builds the XML of a running domain virtsh did not
// start (Domain-0, or a guest made with xl create) from libxl's own view
// of it, `xl list -l`.
func (c *Conn) describeRunning(ctx context.Context, v *view) (*libvirtxml.Domain, error) {
	d := &libvirtxml.Domain{Type: "xen", Name: v.name, UUID: v.xl.UUID,
		Memory: &libvirtxml.DomainMemory{Value: uint(v.xl.MemMiB * 1024), Unit: "KiB"},
		VCPU:   &libvirtxml.DomainVCPU{Placement: "static", Value: uint(v.xl.VCPUs)},
		OS:     &libvirtxml.DomainOS{Type: libxlOSType(v.xl.Type)},
	}
	if v.xl.ID == 0 {
		return d, nil // xl list -l does not describe Domain-0
	}
	out, err := c.xl(ctx, "list", "-l", v.xl.Arg())
	if err != nil {
		return nil, err
	}
	all, err := parseXLListLong(out)
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		if x.Config.CInfo.Name == v.name {
			fromLibxl(d, x)
		}
	}
	return d, nil
}

// libxlOSType is libvirt's OS type of a libxl domain type (pv when
// unknown).
func libxlOSType(kind string) *libvirtxml.DomainOSType {
	switch kind {
	case "hvm":
		return &libvirtxml.DomainOSType{Arch: "x86_64", Machine: "xenfv", Type: "hvm"}
	case "pvh":
		return &libvirtxml.DomainOSType{Arch: "x86_64", Machine: "xenpvh", Type: "xenpvh"}
	}
	return &libvirtxml.DomainOSType{Arch: "x86_64", Machine: "xenpv", Type: "linux"}
}

// fromLibxl fills a definition from libxl's JSON configuration.
func fromLibxl(d *libvirtxml.Domain, x xlConfigJSON) {
	cfg := x.Config
	b := cfg.BInfo
	if cfg.CInfo.UUID != "" {
		d.UUID = cfg.CInfo.UUID
	}
	if cfg.CInfo.Type != "" {
		d.OS.Type = libxlOSType(cfg.CInfo.Type)
	}
	if b.MaxMemKB > 0 {
		d.Memory = &libvirtxml.DomainMemory{Value: uint(b.MaxMemKB), Unit: "KiB"}
		d.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(b.TargetKB), Unit: "KiB"}
	}
	if b.MaxVCPUs > 0 {
		d.VCPU = &libvirtxml.DomainVCPU{Placement: "static", Value: uint(b.MaxVCPUs)}
		if n := len(b.AvailVCPUs); n > 0 && n < b.MaxVCPUs {
			d.VCPU.Current = uint(n)
		}
	}
	d.OS.Kernel, d.OS.Initrd, d.OS.Cmdline = b.Kernel, b.Ramdisk, b.Cmdline
	d.Bootloader = b.Bootloader
	d.OnPoweroff, d.OnReboot, d.OnCrash = cfg.OnPoweroff, cfg.OnReboot, cfg.OnCrash
	d.Devices = &libvirtxml.DomainDeviceList{}
	hvm := cfg.CInfo.Type == "hvm"
	for _, disk := range cfg.Disks {
		spec := xlconfig.DiskSpec{Target: disk.PdevPath, Format: disk.Format, Vdev: disk.Vdev, Access: "ro",
			BackendType: disk.Backend}
		if disk.Readwrite != 0 {
			spec.Access = "rw"
		}
		if disk.IsCDROM != 0 {
			spec.DevType = "cdrom"
		}
		if spec.Format == "unknown" {
			spec.Format = ""
		}
		if spec.BackendType == "unknown" {
			spec.BackendType = ""
		}
		if dd, err := xlconfig.DiskToXML(spec, hvm); err == nil {
			d.Devices.Disks = append(d.Devices.Disks, *dd)
		}
	}
	for _, nic := range cfg.NICs {
		spec := xlconfig.VifSpec{MAC: nic.MAC, Bridge: nic.Bridge, IP: nic.IP, Script: nic.Script, Model: nic.Model, VifName: nic.IfName}
		if nic.Bridge != "" && spec.Script == "" {
			spec.Script = xlconfig.DefaultVifScript
		}
		if iface, err := xlconfig.InterfaceFromVif(spec); err == nil {
			d.Devices.Interfaces = append(d.Devices.Interfaces, *iface)
		}
	}
	console := "xen"
	if hvm && hasSerial(b.TypeHVM.Serial, b.TypeHVM.SerialList) {
		// QEMU's first serial port, mirrored as the console, as libvirt
		// describes an HVM guest with a serial port (and xl console
		// opens it by default).
		d.Devices.Serials = []libvirtxml.DomainSerial{{
			Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
			Target: &libvirtxml.DomainSerialTarget{Port: new(uint)},
		}}
		console = "serial"
	}
	d.Devices.Consoles = []libvirtxml.DomainConsole{{
		Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
		Target: &libvirtxml.DomainConsoleTarget{Type: console, Port: new(uint)},
	}}
}

// hasSerial tells whether libxl gave an HVM guest a first serial port
// (b_info's serial, or the first of serial_list, other than "none").
func hasSerial(serial string, list []string) bool {
	if serial == "" && len(list) > 0 {
		serial = list[0]
	}
	return serial != "" && serial != "none"
}

// definition is the domain's current definition: its stored XML, or for
// a running domain virtsh did not start, what libxl says of it.
func (c *Conn) definition(ctx context.Context, v *view) (*libvirtxml.Domain, error) {
	if x := v.xml(); x != "" || v.xl == nil {
		return parseDomain(x)
	}
	return c.describeRunning(ctx, v)
}
