package qemu

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/devicexml"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// trayWait bounds how long a change of medium waits for the tray to
// open: a guest that has locked it is asked to eject, and may not
// (libvirt's CHANGE_MEDIA_TIMEOUT).
const trayWait = 5 * time.Second

// UpdateDevice implements backend.DomainDeviceUpdate (update-device,
// change-media) as libvirt's qemuDomainUpdateDeviceFlags does for disks:
// the disk named by the XML's target gets the XML's <source>, in the
// persistent definition (validated as define validates it) and/or in
// the running domain, where only a cdrom's medium can change. Any other
// change of the disk, and any other device, is refused by name.
func (d *domains) UpdateDevice(ctx context.Context, name, deviceXML string, scope backend.Scope, force bool) error {
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal([]byte(deviceXML), &root); err != nil {
		return backend.XMLError("cannot parse the device XML: %v", err)
	}
	if kind := root.XMLName.Local; kind != "disk" {
		onLive, onConfig, err := d.c.scopeOf(name, scope)
		if err != nil {
			return err
		}
		which := "live"
		if onConfig || !onLive {
			which = "persistent"
		}
		return backend.ConfigUnsupported("%s update of device '%s' is not supported", which, deviceType(kind))
	}
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	return d.changeDevice(name, scope,
		func(dom *libvirtxml.Domain) error { return updateDiskConfig(dom, dev.Disk) },
		func() error { return d.changeMedium(name, dev.Disk, force) })
}

// deviceType is libvirt's name of the device an element describes
// (virDomainDeviceType), as its errors name it.
func deviceType(element string) string {
	switch element {
	case "interface":
		return "net"
	case "serial", "parallel", "console", "channel":
		return "chr"
	}
	return element
}

// updateDiskConfig is qemuDomainUpdateDeviceConfig for a disk.
func updateDiskConfig(dom *libvirtxml.Domain, disk *libvirtxml.DomainDisk) error {
	i := devicexml.DiskByTarget(dom, disk.Target.Dev)
	if i < 0 {
		return backend.InvalidArgument("target %s doesn't exist.", disk.Target.Dev)
	}
	merged, err := withMedium(&dom.Devices.Disks[i], disk)
	if err != nil {
		return err
	}
	dom.Devices.Disks[i] = merged
	return nil
}

// withMedium is disk old with the source (and format) of disk new, once
// new is found to change nothing else (qemuDomainDiskChangeSupported:
// what new leaves out keeps its value).
func withMedium(old, new *libvirtxml.DomainDisk) (libvirtxml.DomainDisk, error) {
	if field := changedField(old, new); field != "" {
		return libvirtxml.DomainDisk{}, backend.Plain(backend.CodeUnsupported, "Operation not supported: cannot modify field '%s' of the disk", field)
	}
	merged := *old
	merged.Source = new.Source
	if new.Driver != nil && new.Driver.Type != "" {
		drv := libvirtxml.DomainDiskDriver{}
		if old.Driver != nil {
			drv = *old.Driver
		}
		drv.Type = new.Driver.Type
		merged.Driver = &drv
	}
	return merged, nil
}

// changedField names the first field, other than the medium, that new
// sets to a value old does not have.
func changedField(old, new *libvirtxml.DomainDisk) string {
	device := func(d *libvirtxml.DomainDisk) string {
		if d.Device == "" {
			return "disk"
		}
		return d.Device
	}
	driver := func(d *libvirtxml.DomainDisk, f func(*libvirtxml.DomainDiskDriver) string) string {
		if d.Driver == nil {
			return ""
		}
		return f(d.Driver)
	}
	transient := func(d *libvirtxml.DomainDisk) string {
		if d.Transient == nil {
			return ""
		}
		return "yes"
	}
	bootOrder := func(d *libvirtxml.DomainDisk) string {
		if d.Boot == nil {
			return ""
		}
		return strconv.FormatUint(uint64(d.Boot.Order), 10)
	}
	alias := func(d *libvirtxml.DomainDisk) string {
		if d.Alias == nil {
			return ""
		}
		return d.Alias.Name
	}
	for _, f := range []struct {
		name     string
		old, new string
		nullable bool
	}{
		{"device", device(old), device(new), false},
		{"bus", argv.DiskBus(old), argv.DiskBus(new), false},
		{"cache", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.Cache }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.Cache }), true},
		{"io", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.IO }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.IO }), true},
		{"discard", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.Discard }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.Discard }), true},
		{"serial", old.Serial, new.Serial, true},
		{"wwn", old.WWN, new.WWN, true},
		{"vendor", old.Vendor, new.Vendor, true},
		{"product", old.Product, new.Product, true},
		{"alias", alias(old), alias(new), true},
		{"error_policy", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.ErrorPolicy }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.ErrorPolicy }), true},
		{"rerror_policy", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.RErrorPolicy }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.RErrorPolicy }), true},
		{"ioeventfd", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.IOEventFD }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.IOEventFD }), true},
		{"event_idx", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.EventIDX }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.EventIDX }), true},
		{"copy_on_read", driver(old, func(d *libvirtxml.DomainDiskDriver) string { return d.CopyOnRead }), driver(new, func(d *libvirtxml.DomainDiskDriver) string { return d.CopyOnRead }), true},
		{"transient", transient(old), transient(new), true},
		{"boot order", bootOrder(old), bootOrder(new), true},
	} {
		if f.old != f.new && !(f.nullable && f.new == "") {
			return f.name
		}
	}
	if new.Address != nil && !reflect.DeepEqual(old.Address, new.Address) {
		return "address"
	}
	return ""
}

// blockState is what QEMU's query-block says of a drive: whether its
// tray is open, and the format node of its medium ("" when empty).
type blockState struct {
	TrayOpen bool
	Node     string
}

// driveState is the state of the drive of device id.
func (d *domains) driveState(name, id string) (blockState, error) {
	ret, err := d.qmp(name, "query-block", nil)
	if err != nil {
		return blockState{}, err
	}
	var blocks []struct {
		QDev     string `json:"qdev"`
		TrayOpen bool   `json:"tray_open"`
		Inserted *struct {
			Node string `json:"node-name"`
		} `json:"inserted"`
	}
	json.Unmarshal(ret, &blocks)
	for _, b := range blocks {
		if b.QDev == id || strings.HasPrefix(b.QDev, "/machine/peripheral/"+id+"/") {
			st := blockState{TrayOpen: b.TrayOpen}
			if b.Inserted != nil {
				st.Node = b.Inserted.Node
			}
			return st, nil
		}
	}
	return blockState{}, backend.OperationFailed("QEMU has no block device for '%s'", id)
}

// changeMedium changes the medium of a cdrom of the running domain, as
// libvirt's qemuDomainChangeMediaBlockdev does: the new medium's nodes
// are added (blockdev-add) before the guest sees anything, then the
// tray opens (forced open with force, else the guest is asked and
// waited for), the old medium leaves, the new one goes in, the tray
// closes, and the old medium's nodes are deleted. A step that fails puts
// back what the earlier ones changed: the old medium in its drive, the
// new nodes deleted.
func (d *domains) changeMedium(name string, disk *libvirtxml.DomainDisk, force bool) error {
	dom, err := d.c.liveDomain(name)
	if err != nil {
		return err
	}
	target := disk.Target.Dev
	i := devicexml.DiskByTarget(dom, target)
	if i < 0 {
		return backend.Internal("disk '%s' not found", target)
	}
	old := &dom.Devices.Disks[i]
	merged, err := withMedium(old, disk)
	if err != nil {
		return err
	}
	if sameMedium(old, &merged) {
		return nil
	}
	if dev := old.Device; dev != "cdrom" && dev != "floppy" {
		return backend.Plain(backend.CodeUnsupported, "Operation not supported: disk source can be changed only in removable drives")
	}
	src := argv.DiskSource(&merged)
	if src != "" {
		if _, err := os.Stat(src); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return backend.Plain(backend.CodeInvalidArgument, "Cannot access storage file '%s': %s", src, capitalize(err.Error()))
		}
	}
	cmd, err := d.c.command(dom)
	if err != nil {
		return err
	}
	id := cmd.Disks[i].Device
	dom.Devices.Disks[i] = merged
	var newNode string
	var added []string
	dropNew := func() { d.deleteBlockNodes(name, added) }
	if src != "" {
		n, err := d.freeNode(name)
		if err != nil {
			return err
		}
		blockdevs, node, err := argv.Medium(dom, &merged, n)
		if err != nil {
			return err
		}
		if added, err = d.addBlockNodes(name, blockdevs); err != nil {
			return err
		}
		newNode = node
	}
	drive := map[string]any{"id": id}
	st, err := d.driveState(name, id)
	if err != nil {
		dropNew()
		return err
	}
	closeTray := func() { // a rollback leaves the tray as it found it
		if !st.TrayOpen {
			d.qmp(name, "blockdev-close-tray", drive)
		}
	}
	if !st.TrayOpen {
		if _, err := d.qmp(name, "blockdev-open-tray", map[string]any{"id": id, "force": force}); err != nil {
			dropNew()
			return err
		}
		if err := d.awaitTrayOpen(name, id, target, force); err != nil {
			dropNew()
			return err
		}
	}
	putBack := func() {
		if st.Node != "" {
			d.qmp(name, "blockdev-insert-medium", map[string]any{"id": id, "node-name": st.Node})
		}
		closeTray()
		dropNew()
	}
	if _, err := d.qmp(name, "blockdev-remove-medium", drive); err != nil {
		closeTray()
		dropNew()
		return err
	}
	if newNode != "" {
		if _, err := d.qmp(name, "blockdev-insert-medium", map[string]any{"id": id, "node-name": newNode}); err != nil {
			putBack()
			return err
		}
	}
	if _, err := d.qmp(name, "blockdev-close-tray", drive); err != nil {
		d.qmp(name, "blockdev-remove-medium", drive)
		putBack()
		return err
	}
	if st.Node != "" {
		for _, n := range []string{st.Node, argv.StorageNode(st.Node)} {
			d.qmp(name, "blockdev-del", map[string]any{"node-name": n})
		}
	}
	return d.c.writeLiveDomain(name, dom)
}

// awaitTrayOpen waits up to trayWait for the tray of drive id to open:
// at once, unless the guest has locked it and must release it. A tray
// the guest closed again (firmware probing its drives does) is opened
// again.
func (d *domains) awaitTrayOpen(name, id, target string, force bool) error {
	deadline := time.Now().Add(trayWait)
	for {
		st, err := d.driveState(name, id)
		if err != nil {
			return err
		}
		if st.TrayOpen {
			return nil
		}
		if time.Now().After(deadline) {
			return backend.OperationFailed("timed out waiting to open tray of '%s'; the guest may have locked it: give --force to open it anyway", target)
		}
		time.Sleep(100 * time.Millisecond)
		if _, err := d.qmp(name, "blockdev-open-tray", map[string]any{"id": id, "force": force}); err != nil {
			return err
		}
	}
}

// sameMedium reports whether two disks have the same source.
func sameMedium(a, b *libvirtxml.DomainDisk) bool {
	block := func(d *libvirtxml.DomainDisk) bool { return d.Source != nil && d.Source.Block != nil }
	return argv.DiskSource(a) == argv.DiskSource(b) && block(a) == block(b)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
