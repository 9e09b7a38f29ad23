package argv

import (
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"
)

func diskDevice(d *libvirtxml.DomainDisk) string {
	if d.Device == "" {
		return "disk"
	}
	return d.Device
}

// DiskIndex is libvirt's virDiskNameToIndex: vda → 0, sdb → 1, hdaa → 26.
func DiskIndex(target string) (int, bool) {
	for _, p := range []string{"vd", "sd", "hd", "xvd"} {
		if rest, ok := strings.CutPrefix(target, p); ok && rest != "" {
			idx := 0
			for _, c := range rest {
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

// DiskBus is the bus of a disk: its target's bus, or the one its name
// implies (vd: virtio, sd: scsi, hd: ide), as libvirt defaults it.
func DiskBus(d *libvirtxml.DomainDisk) string {
	if d.Target == nil {
		return ""
	}
	if d.Target.Bus != "" {
		return d.Target.Bus
	}
	switch {
	case strings.HasPrefix(d.Target.Dev, "vd"):
		return "virtio"
	case strings.HasPrefix(d.Target.Dev, "sd"):
		return "scsi"
	case strings.HasPrefix(d.Target.Dev, "hd"):
		return "ide"
	}
	return ""
}

// DiskSource is the file or block device behind a disk; empty for an
// empty cdrom drive.
func DiskSource(d *libvirtxml.DomainDisk) string {
	if d.Source == nil {
		return ""
	}
	if d.Source.File != nil {
		return d.Source.File.File
	}
	if d.Source.Block != nil {
		return d.Source.Block.Dev
	}
	return ""
}

// cacheModes: libvirt's cache modes as blockdev cache properties and the
// device's write-cache (qemuDomainDiskCachemodeFlags).
var cacheModes = map[string]struct {
	direct, noFlush, writeCache bool
}{
	"none":         {true, false, true},
	"writeback":    {false, false, true},
	"writethrough": {false, false, false},
	"directsync":   {true, false, false},
	"unsafe":       {false, true, true},
}

func (b *builder) disks() error {
	if b.dom.Devices == nil {
		return nil
	}
	for i := range b.dom.Devices.Disks {
		if err := b.disk(&b.dom.Devices.Disks[i], len(b.dom.Devices.Disks)-i); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) disk(d *libvirtxml.DomainDisk, n int) error {
	if d.Target == nil || d.Target.Dev == "" {
		return unsupported("a <disk> has no <target dev='...'>")
	}
	target := d.Target.Dev
	device := diskDevice(d)
	if device != "disk" && device != "cdrom" {
		return unsupported("disk '%s': device '%s' is not supported; use disk or cdrom", target, device)
	}
	if err := checkDisk(d); err != nil {
		return err
	}
	src := DiskSource(d)
	if src == "" && device == "disk" {
		return unsupported("disk '%s' has no source file or block device", target)
	}
	format := "raw"
	var cache string
	io, discard := "", ""
	if d.Driver != nil {
		if d.Driver.Name != "" && d.Driver.Name != "qemu" {
			return unsupported("disk '%s': driver name '%s' is not supported; use qemu", target, d.Driver.Name)
		}
		if d.Driver.Type != "" {
			format = d.Driver.Type
		}
		cache, io, discard = d.Driver.Cache, d.Driver.IO, d.Driver.Discard
	}
	if format != "raw" && format != "qcow2" {
		return unsupported("disk '%s': format '%s' is not supported; use raw or qcow2", target, format)
	}
	readOnly := d.ReadOnly != nil || device == "cdrom"
	writeCache := ""
	cacheProps := []any{}
	if cache != "" && cache != "default" {
		m, ok := cacheModes[cache]
		if !ok {
			return unsupported("disk '%s': cache mode '%s' is not supported", target, cache)
		}
		cacheProps = []any{"cache", rawJSON(jsonObject("direct", m.direct, "no-flush", m.noFlush))}
		writeCache = map[bool]string{true: ",write-cache=on", false: ",write-cache=off"}[m.writeCache]
	}
	var aio []any
	switch io {
	case "", "default":
	case "native", "threads", "io_uring":
		if io == "native" && (cache == "" || !cacheModes[cache].direct) {
			return unsupported("disk '%s': io='native' needs cache='none' or 'directsync'", target)
		}
		aio = []any{"aio", io}
	default:
		return unsupported("disk '%s': io mode '%s' is not supported", target, io)
	}
	var discardProps []any
	switch discard {
	case "", "ignore":
	case "unmap":
		discardProps = []any{"discard", "unmap"}
	default:
		return unsupported("disk '%s': discard mode '%s' is not supported", target, discard)
	}
	node := fmt.Sprintf("libvirt-%d-format", n)
	if src != "" {
		storage := fmt.Sprintf("libvirt-%d-storage", n)
		driver := "file"
		if d.Source.Block != nil {
			driver = "host_device"
		}
		props := append([]any{"driver", driver, "filename", src, "node-name", storage}, cacheProps...)
		props = append(append(props, aio...), "auto-read-only", true)
		props = append(props, discardProps...)
		b.device("-blockdev", jsonObject(props...))
		fmtProps := append([]any{"node-name", node, "read-only", readOnly}, cacheProps...)
		fmtProps = append(fmtProps, discardProps...)
		fmtProps = append(fmtProps, "driver", format, "file", storage)
		b.device("-blockdev", jsonObject(fmtProps...))
	}
	drive := ""
	if src != "" {
		drive = ",drive=" + node
	}
	serial := ""
	if d.Serial != "" {
		serial = ",serial=" + commaEscape(d.Serial)
	}
	idx, ok := DiskIndex(target)
	if !ok {
		return unsupported("disk target '%s' is not a valid disk name (vda, sdb, hdc, ...)", target)
	}
	boot := bootIndexOpt(b.bootIndex[d])
	bus := DiskBus(d)
	if d.ReadOnly != nil && device == "disk" && (bus == "ide" || bus == "sata") {
		return unsupported("disk '%s': QEMU cannot make %s disks read-only; use bus virtio or scsi", target, bus)
	}
	var dev, id string
	switch bus {
	case "virtio":
		if device == "cdrom" {
			return unsupported("disk '%s': a cdrom cannot be on the virtio bus; use sata, scsi or ide", target)
		}
		addr, err := b.pciAddr(d.Address)
		if err != nil {
			return err
		}
		id = fmt.Sprintf("virtio-disk%d", idx)
		dev = "virtio-blk-pci" + addr + drive + ",id=" + id
	case "sata":
		unit := idx
		if a := d.Address; a != nil && a.Drive != nil {
			unit = int(uintOr(a.Drive.Unit, 0))
			if uintOr(a.Drive.Controller, 0) != 0 {
				return unsupported("disk '%s': only SATA controller 0 is supported", target)
			}
		}
		if unit > 5 {
			return unsupported("disk '%s': SATA has 6 ports (sda to sdf)", target)
		}
		busName := fmt.Sprintf("ide.%d", unit)
		if !b.q35 {
			if err := b.sataControllerOnce(); err != nil {
				return err
			}
			busName = fmt.Sprintf("sata0.%d", unit)
		}
		id = fmt.Sprintf("sata0-0-%d", unit)
		dev = ideModel(device) + ",bus=" + busName + drive + ",id=" + id
	case "ide":
		if b.q35 {
			return unsupported("disk '%s': IDE controllers are unsupported for the q35 machine type; use sata", target)
		}
		ideBus, unit := idx/2, idx%2
		if a := d.Address; a != nil && a.Drive != nil {
			ideBus, unit = int(uintOr(a.Drive.Bus, 0)), int(uintOr(a.Drive.Unit, 0))
		}
		if ideBus > 1 || unit > 1 {
			return unsupported("disk '%s': the IDE controller has two buses of two units (hda to hdd)", target)
		}
		id = fmt.Sprintf("ide0-%d-%d", ideBus, unit)
		dev = fmt.Sprintf("%s,bus=ide.%d,unit=%d%s,id=%s", ideModel(device), ideBus, unit, drive, id)
	case "scsi":
		if err := b.scsiControllerOnce(); err != nil {
			return err
		}
		unit, scsiID := idx, 0
		if a := d.Address; a != nil && a.Drive != nil {
			if uintOr(a.Drive.Controller, 0) != 0 || uintOr(a.Drive.Bus, 0) != 0 {
				return unsupported("disk '%s': only SCSI controller 0, bus 0 is supported", target)
			}
			unit, scsiID = int(uintOr(a.Drive.Unit, 0)), int(uintOr(a.Drive.Target, 0))
		}
		model := "scsi-hd"
		if device == "cdrom" {
			model = "scsi-cd"
		}
		id = fmt.Sprintf("scsi0-0-%d-%d", scsiID, unit)
		dev = fmt.Sprintf("%s,bus=scsi0.0,channel=0,scsi-id=%d,lun=%d,device_id=drive-%s%s,id=%s", model, scsiID, unit, id, drive, id)
	default:
		return unsupported("disk '%s': bus '%s' is not supported; use virtio, sata, scsi or ide", target, bus)
	}
	b.device("-device", dev+boot+writeCache+serial)
	b.cmd.Disks = append(b.cmd.Disks, Disk{Target: target, Node: node, Device: id, Source: src})
	return nil
}

func ideModel(device string) string {
	if device == "cdrom" {
		return "ide-cd"
	}
	return "ide-hd"
}

// checkDisk refuses the disk elements this driver does not implement.
func checkDisk(d *libvirtxml.DomainDisk) error {
	var bad []string
	if d.Source != nil && d.Source.File == nil && d.Source.Block == nil {
		bad = append(bad, "source (only file and block disks are supported)")
	}
	if d.Source != nil && (d.Source.Encryption != nil || d.Source.Reservations != nil || d.Source.Slices != nil || d.Source.StartupPolicy != "") {
		bad = append(bad, "source's encryption/reservations/slices/startupPolicy")
	}
	for name, present := range map[string]bool{
		"auth": d.Auth != nil, "encryption": d.Encryption != nil, "iotune": d.IOTune != nil,
		"throttlefilters": d.ThrottleFilters != nil, "mirror": d.Mirror != nil, "geometry": d.Geometry != nil,
		"blockio": d.BlockIO != nil, "transient": d.Transient != nil, "wwn": d.WWN != "",
		"vendor": d.Vendor != "", "product": d.Product != "",
		"backingStore":          d.BackingStore != nil && d.BackingStore.Source != nil,
		"driver/@error_policy":  d.Driver != nil && (d.Driver.ErrorPolicy != "" || d.Driver.RErrorPolicy != ""),
		"driver/@iothread":      d.Driver != nil && (d.Driver.IOThread != nil || d.Driver.IOThreads != nil),
		"driver/@queues":        d.Driver != nil && (d.Driver.Queues != nil || d.Driver.QueueSize != nil),
		"driver/@copy_on_read":  d.Driver != nil && d.Driver.CopyOnRead != "",
		"driver/@detect_zeroes": d.Driver != nil && d.Driver.DetectZeros != "",
	} {
		if present {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		sortStrings(bad)
		return unsupported("disk '%s': not supported by this driver: %s", d.Target.Dev, strings.Join(bad, ", "))
	}
	return nil
}

func (b *builder) scsiControllerOnce() error {
	if b.scsiController {
		return nil
	}
	b.scsiController = true
	var a *libvirtxml.DomainAddress
	for _, c := range b.dom.Devices.Controllers {
		if c.Type == "scsi" {
			if c.Model != "" && c.Model != "virtio-scsi" {
				return unsupported("SCSI controller model '%s' is not supported; use virtio-scsi", c.Model)
			}
			a = c.Address
		}
	}
	addr, err := b.pciAddr(a)
	if err != nil {
		return err
	}
	b.controllers = append(b.controllers, "-device", "virtio-scsi-pci,id=scsi0"+addr)
	return nil
}

func (b *builder) sataControllerOnce() error {
	if b.sataController {
		return nil
	}
	b.sataController = true
	var a *libvirtxml.DomainAddress
	for _, c := range b.dom.Devices.Controllers {
		if c.Type == "sata" {
			a = c.Address
		}
	}
	addr, err := b.pciAddr(a)
	if err != nil {
		return err
	}
	b.controllers = append(b.controllers, "-device", "ich9-ahci,id=sata0"+addr)
	return nil
}
