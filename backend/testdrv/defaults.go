package testdrv

import (
	"crypto/rand"
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// applyDomainDefaults fills in what libvirt's domain parser and the test
// driver's post-parse callbacks add to every definition.
func applyDomainDefaults(d *libvirtxml.Domain) {
	if d.UUID == "" {
		d.UUID = newUUID()
	}
	applyMemoryDefaults(d)
	if d.VCPU == nil {
		d.VCPU = &libvirtxml.DomainVCPU{Value: 1}
	}
	if d.VCPU.Placement == "" {
		d.VCPU.Placement = "static"
	}
	setVCPUs(d, vcpus(d))
	applyOSDefaults(d)
	if d.Clock == nil {
		d.Clock = &libvirtxml.DomainClock{Offset: "utc"}
	}
	d.OnPoweroff = orDefault(d.OnPoweroff, "destroy")
	d.OnReboot = orDefault(d.OnReboot, "restart")
	d.OnCrash = orDefault(d.OnCrash, "destroy")
	if d.Devices == nil {
		d.Devices = &libvirtxml.DomainDeviceList{}
	}
	applyDeviceDefaults(d.Devices)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// unitScale is libvirt's virScaleInteger table, in bytes.
var unitScale = map[string]uint64{
	"": 1024, "b": 1, "bytes": 1,
	"k": 1024, "kib": 1024, "kb": 1000,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1000 * 1000,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1000 * 1000 * 1000,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1000 * 1000 * 1000 * 1000,
}

// toBytes converts a value with a libvirt unit to bytes; defUnit applies
// when unit is empty.
func toBytes(v uint64, unit, defUnit string) (uint64, bool) {
	if unit == "" {
		unit = defUnit
	}
	scale, ok := unitScale[strings.ToLower(unit)]
	return v * scale, ok
}

// toKiB converts to KiB, rounding up like libvirt's virDomainParseMemory.
func toKiB(v uint, unit string) uint {
	b, _ := toBytes(uint64(v), unit, "KiB")
	return uint((b + 1023) / 1024)
}

func applyMemoryDefaults(d *libvirtxml.Domain) {
	d.Memory.Value, d.Memory.Unit = toKiB(d.Memory.Value, d.Memory.Unit), "KiB"
	if d.CurrentMemory == nil {
		d.CurrentMemory = &libvirtxml.DomainCurrentMemory{}
	}
	cur := toKiB(d.CurrentMemory.Value, d.CurrentMemory.Unit)
	if cur == 0 || cur > d.Memory.Value {
		cur = d.Memory.Value
	}
	d.CurrentMemory.Value, d.CurrentMemory.Unit = cur, "KiB"
}

func applyOSDefaults(d *libvirtxml.Domain) {
	if d.OS.Type.Arch == "" {
		d.OS.Type.Arch = "i686"
	}
	if len(d.OS.BootDevices) == 0 && d.OS.Kernel == "" && !hasDeviceBoot(d.Devices) {
		d.OS.BootDevices = []libvirtxml.DomainBootDevice{{Dev: "hd"}}
	}
}

func hasDeviceBoot(devs *libvirtxml.DomainDeviceList) bool {
	if devs == nil {
		return false
	}
	for _, disk := range devs.Disks {
		if disk.Boot != nil {
			return true
		}
	}
	for _, iface := range devs.Interfaces {
		if iface.Boot != nil {
			return true
		}
	}
	return false
}

func applyDeviceDefaults(devs *libvirtxml.DomainDeviceList) {
	for i := range devs.Disks {
		if devs.Disks[i].Device == "" {
			devs.Disks[i].Device = "disk" // virDomainDiskDef's default, which libvirt prints
		}
	}
	for i := range devs.Interfaces {
		if devs.Interfaces[i].MAC == nil {
			devs.Interfaces[i].MAC = &libvirtxml.DomainInterfaceMAC{Address: newMAC()}
		}
	}
	applyConsoleDefaults(devs)
	for i := range devs.Graphics {
		applyVNCDefaults(devs.Graphics[i].VNC)
	}
	applyVideoDefaults(devs)
}

// applyConsoleDefaults mirrors a console on a serial port the way libvirt
// does for HVM guests: the first console becomes serial port 0.
func applyConsoleDefaults(devs *libvirtxml.DomainDeviceList) {
	if len(devs.Consoles) == 0 {
		return
	}
	con := &devs.Consoles[0]
	if con.Target != nil && con.Target.Type != "" && con.Target.Type != "serial" {
		return
	}
	port := uint(0)
	if len(devs.Serials) == 0 {
		devs.Serials = []libvirtxml.DomainSerial{{
			Source: con.Source,
			Target: &libvirtxml.DomainSerialTarget{Port: &port},
		}}
	}
	con.Target = &libvirtxml.DomainConsoleTarget{Type: "serial", Port: &port}
}

func applyVNCDefaults(vnc *libvirtxml.DomainGraphicVNC) {
	if vnc == nil {
		return
	}
	if vnc.Port == -1 && vnc.AutoPort == "" {
		vnc.AutoPort = "yes"
	}
	if len(vnc.Listeners) == 0 {
		vnc.Listeners = []libvirtxml.DomainGraphicListener{{
			Address: &libvirtxml.DomainGraphicListenerAddress{Address: vnc.Listen},
		}}
	}
}

// applyVideoDefaults adds the cirrus card libvirt gives HVM guests with
// graphics, and completes video models.
func applyVideoDefaults(devs *libvirtxml.DomainDeviceList) {
	if len(devs.Videos) == 0 && len(devs.Graphics) > 0 {
		devs.Videos = []libvirtxml.DomainVideo{{}}
	}
	for i := range devs.Videos {
		m := &devs.Videos[i].Model
		m.Type = orDefault(m.Type, "cirrus")
		if m.VRam == 0 && m.Type == "cirrus" {
			m.VRam = 16384
		}
		if m.Heads == 0 {
			m.Heads = 1
		}
		if i == 0 {
			m.Primary = "yes"
		}
	}
}

// generateIfnames is testDomainGenerateIfnames: interfaces without a
// target get the first free testnetN.
func generateIfnames(d *libvirtxml.Domain) {
	used := map[string]bool{}
	for _, iface := range d.Devices.Interfaces {
		if iface.Target != nil {
			used[iface.Target.Dev] = true
		}
	}
	next := 0
	for i := range d.Devices.Interfaces {
		iface := &d.Devices.Interfaces[i]
		if iface.Target != nil {
			continue
		}
		for used[fmt.Sprintf("testnet%d", next)] {
			next++
		}
		name := fmt.Sprintf("testnet%d", next)
		used[name] = true
		iface.Target = &libvirtxml.DomainInterfaceTarget{Dev: name}
	}
}

// vcpus returns the number of online vCPUs of a definition.
func vcpus(d *libvirtxml.Domain) int {
	if d.VCPU.Current != 0 {
		return int(d.VCPU.Current)
	}
	return int(d.VCPU.Value)
}

// setVCPUs sets the online vCPUs; libvirt omits current= when all are online.
func setVCPUs(d *libvirtxml.Domain, n int) {
	d.VCPU.Current = uint(n)
	if d.VCPU.Current >= d.VCPU.Value {
		d.VCPU.Current = 0
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newMAC returns a random address in QEMU's 52:54:00 prefix, as libvirt.
func newMAC() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[0], b[1], b[2])
}
