package qemu

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/devicexml"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// unplugWait bounds how long a detach waits for the guest to release a
// device (QEMU's DEVICE_DELETED): ACPI hot-unplug needs the guest's
// cooperation, and a TCG guest on a busy host is slow.
const unplugWait = 60 * time.Second

// AttachDevice implements backend.DomainDevices: a <disk> or an
// <interface> joins the persistent definition (validated as define
// validates it) and/or, for virtio disks, the running domain.
func (d *domains) AttachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	if dev.NIC != nil && dev.MAC() == "" {
		dev.NIC.MAC = &libvirtxml.DomainInterfaceMAC{Address: backend.NewMAC()}
	}
	return d.changeDevice(name, scope, func(dom *libvirtxml.Domain) error { return devicexml.Attach(dom, dev) },
		func() error { return d.plug(name, dev) })
}

// DetachDevice implements backend.DomainDevices: the disk (by target or
// source) or interface (by MAC address) leaves the persistent definition
// and/or the running domain.
func (d *domains) DetachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	return d.changeDevice(name, scope, func(dom *libvirtxml.Domain) error { return devicexml.Detach(dom, dev) },
		func() error { return d.unplug(name, dev) })
}

// changeDevice applies a device change with the domain locked, in
// libvirt's order (devicexml.Change).
func (d *domains) changeDevice(name string, scope backend.Scope, edit func(*libvirtxml.Domain) error, live func() error) error {
	unlock, err := d.c.defs.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	onLive, onConfig, err := d.c.scopeOf(name, scope)
	if err != nil {
		return err
	}
	return devicexml.Change{
		Live: onLive, Config: onConfig,
		Definition: func() (string, error) { return d.c.editedDefinition(name, edit) },
		Plug:       live,
		Write:      func(def string) error { return d.c.defs.Write(name, def) },
	}.Apply()
}

// editedDefinition is name's persistent definition changed by edit and
// validated as define validates a definition.
func (c *Conn) editedDefinition(name string, edit func(*libvirtxml.Domain) error) (string, error) {
	doc, ok, err := c.defs.Read(name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", backend.InvalidState("cannot change persistent config of a transient domain")
	}
	return devicexml.Edit(doc, edit, func(out string) (string, error) {
		def, err := c.parseDomain(out)
		return def.XML, err
	})
}

// liveDomain reads a running domain's live XML.
func (c *Conn) liveDomain(name string) (*libvirtxml.Domain, error) {
	b, err := os.ReadFile(c.liveXMLPath(name))
	if err != nil {
		return nil, backend.OperationFailed("cannot read the live XML of domain '%s': %v", name, err)
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(string(b)); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	return &dom, nil
}

func (c *Conn) writeLiveDomain(name string, dom *libvirtxml.Domain) error {
	out, err := dom.Marshal()
	if err != nil {
		return backend.Internal("%v", err)
	}
	return writeFile(c.liveXMLPath(name), out)
}

// plug hot-plugs a disk into the running domain, as libvirt's
// qemuDomainAttachDiskGeneric does: blockdev-add of its storage and
// format nodes, then device_add; whatever was added is removed again
// when a later step fails.
func (d *domains) plug(name string, dev devicexml.Device) error {
	if dev.NIC != nil {
		return d.plugNIC(name, dev)
	}
	dom, err := d.c.liveDomain(name)
	if err != nil {
		return err
	}
	if devicexml.DiskByTarget(dom, dev.Disk.Target.Dev) >= 0 {
		return backend.InvalidState("target %s already exists", dev.Disk.Target.Dev)
	}
	node, err := d.freeNode(name)
	if err != nil {
		return err
	}
	use, err := d.pciUse(name)
	if err != nil {
		return err
	}
	p, err := argv.PlugDisk(dom, dev.Disk, node, use)
	if err != nil {
		return err
	}
	dom.Devices.Disks = append(dom.Devices.Disks, *p.XML)
	if _, err := d.c.command(dom); err != nil {
		return err
	}
	added, err := d.addBlockNodes(name, p.Blockdevs)
	if err != nil {
		return err
	}
	if _, err := d.qmp(name, "device_add", p.Device); err != nil {
		d.deleteBlockNodes(name, added)
		return err
	}
	return d.c.writeLiveDomain(name, dom)
}

// addBlockNodes adds the block nodes of blockdevs (blockdev-add
// arguments, the storage node before the format node on it) to the
// running QEMU and returns their names; when one fails, those added are
// deleted again.
func (d *domains) addBlockNodes(name string, blockdevs []json.RawMessage) ([]string, error) {
	var added []string
	for _, bd := range blockdevs {
		var n struct {
			Node string `json:"node-name"`
		}
		json.Unmarshal(bd, &n)
		if _, err := d.qmp(name, "blockdev-add", bd); err != nil {
			d.deleteBlockNodes(name, added)
			return nil, err
		}
		added = append(added, n.Node)
	}
	return added, nil
}

// deleteBlockNodes deletes block nodes, the last added first, as a
// rollback does: what fails is left for QEMU's exit.
func (d *domains) deleteBlockNodes(name string, nodes []string) {
	for i := len(nodes) - 1; i >= 0; i-- {
		d.qmp(name, "blockdev-del", map[string]any{"node-name": nodes[i]})
	}
}

// unplug removes a disk from the running domain, as libvirt's
// qemuDomainDetachDeviceLive does: device_del, the guest's release of
// the device (DEVICE_DELETED, which the supervisor waits for), then
// blockdev-del of its nodes.
func (d *domains) unplug(name string, dev devicexml.Device) error {
	if dev.NIC != nil {
		return d.unplugNIC(name, dev)
	}
	dom, err := d.c.liveDomain(name)
	if err != nil {
		return err
	}
	target := dev.Disk.Target.Dev
	i := devicexml.DiskByTarget(dom, target)
	if i < 0 {
		return backend.OperationFailed("disk %s not found", target)
	}
	if bus := argv.DiskBus(&dom.Devices.Disks[i]); bus != "virtio" {
		return backend.InvalidState("disk bus '%s' cannot be hot-unplugged", bus)
	}
	cmd, err := d.c.command(dom)
	if err != nil {
		return err
	}
	id := cmd.Disks[i].Device
	node, err := d.diskNode(name, id)
	if err != nil {
		return err
	}
	if _, err := d.c.live(name, request{Op: opDeviceDel, Line: id, Timeout: int(unplugWait / time.Second)}, unplugWait+10*time.Second); err != nil {
		return err
	}
	dom.Devices.Disks = append(dom.Devices.Disks[:i], dom.Devices.Disks[i+1:]...)
	if err := d.c.writeLiveDomain(name, dom); err != nil {
		return err
	}
	if node == "" {
		return nil
	}
	for _, n := range []string{node, argv.StorageNode(node)} {
		if _, err := d.qmp(name, "blockdev-del", map[string]any{"node-name": n}); err != nil {
			return err
		}
	}
	return nil
}

// freeNode is the next node number (libvirt-N-...) the running QEMU
// does not use.
func (d *domains) freeNode(name string) (int, error) {
	ret, err := d.qmp(name, "query-named-block-nodes", map[string]any{"flat": true})
	if err != nil {
		return 0, err
	}
	var nodes []struct {
		Node string `json:"node-name"`
	}
	json.Unmarshal(ret, &nodes)
	next := 1
	for _, n := range nodes {
		if k, ok := argv.NodeNumber(n.Node); ok && k >= next {
			next = k + 1
		}
	}
	return next, nil
}

// pciUse is what QEMU's PCI buses have taken: bus 0's slots, and which
// pcie-root-ports (pci.N) have no device.
func (d *domains) pciUse(name string) (argv.PCIUse, error) {
	ret, err := d.qmp(name, "query-pci", nil)
	if err != nil {
		return argv.PCIUse{}, err
	}
	var buses []struct {
		Bus     uint `json:"bus"`
		Devices []struct {
			Slot   uint   `json:"slot"`
			QDevID string `json:"qdev_id"`
			Bridge *struct {
				Devices []json.RawMessage `json:"devices"`
			} `json:"pci_bridge"`
		} `json:"devices"`
	}
	json.Unmarshal(ret, &buses)
	var use argv.PCIUse
	for _, b := range buses {
		if b.Bus != 0 {
			continue
		}
		for _, dev := range b.Devices {
			use.Slots = append(use.Slots, dev.Slot)
			n, isPort := strings.CutPrefix(dev.QDevID, "pci.")
			if isPort && dev.Bridge != nil && len(dev.Bridge.Devices) == 0 {
				use.FreePorts = append(use.FreePorts, uint(atoi(n)))
			}
		}
	}
	return use, nil
}

// diskNode is the format node behind device id, "" for an empty drive.
func (d *domains) diskNode(name, id string) (string, error) {
	st, err := d.driveState(name, id)
	return st.Node, err
}

// plugNIC hot-plugs an interface, as libvirt's qemuDomainAttachNetDevice
// does: a tap on the bridge or network port (type bridge, network) or
// QEMU's user network, netdev_add, device_add. The supervisor does it,
// since it owns the domain's taps.
func (d *domains) plugNIC(name string, dev devicexml.Device) error {
	dom, err := d.c.liveDomain(name)
	if err != nil {
		return err
	}
	if len(devicexml.NICs(dom, dev.MAC())) > 0 {
		return backend.InvalidArgument("network device with mac %s already exists", dev.MAC())
	}
	index, err := d.freeNICIndex(name)
	if err != nil {
		return err
	}
	use, err := d.pciUse(name)
	if err != nil {
		return err
	}
	p, err := argv.PlugNIC(dom, dev.NIC, index, use)
	if err != nil {
		return err
	}
	dom.Devices.Interfaces = append(dom.Devices.Interfaces, *p.XML)
	if _, err := d.c.command(dom); err != nil {
		return err
	}
	req, _ := json.Marshal(nicPlug{Tap: p.Tap, Netdev: p.Netdev, Device: p.Device})
	ret, err := d.c.live(name, request{Op: opPlugNIC, Command: req}, 35*time.Second)
	if err != nil {
		return err
	}
	var tap string
	json.Unmarshal(ret, &tap)
	if tap != "" {
		dom.Devices.Interfaces[len(dom.Devices.Interfaces)-1].Target = &libvirtxml.DomainInterfaceTarget{Dev: tap}
	}
	return d.c.writeLiveDomain(name, dom)
}

// unplugNIC removes the interface with the device's MAC address from
// the running domain; QEMU tells which of its NICs has that address.
func (d *domains) unplugNIC(name string, dev devicexml.Device) error {
	dom, err := d.c.liveDomain(name)
	if err != nil {
		return err
	}
	i, err := devicexml.NIC(dom, dev.MAC())
	if err != nil {
		return err
	}
	n := dom.Devices.Interfaces[i]
	u := nicUnplug{}
	if t := argv.InterfaceType(&n); (t == "bridge" || t == "network") && n.Target != nil {
		u.Tap = n.Target.Dev
	}
	if u.Device, err = d.nicDevice(name, n.MAC.Address); err != nil {
		return err
	}
	ret, err := d.qmp(name, "qom-get", map[string]any{"path": "/machine/peripheral/" + u.Device, "property": "netdev"})
	if err != nil {
		return err
	}
	json.Unmarshal(ret, &u.Netdev)
	req, _ := json.Marshal(u)
	if _, err := d.c.live(name, request{Op: opUnplugNIC, Command: req, Timeout: int(unplugWait / time.Second)}, unplugWait+10*time.Second); err != nil {
		return err
	}
	dom.Devices.Interfaces = append(dom.Devices.Interfaces[:i], dom.Devices.Interfaces[i+1:]...)
	return d.c.writeLiveDomain(name, dom)
}

// peripherals are the ids of QEMU's user-created devices.
func (d *domains) peripherals(name string) (map[string]bool, error) {
	ret, err := d.qmp(name, "qom-list", map[string]any{"path": "/machine/peripheral"})
	if err != nil {
		return nil, err
	}
	var props []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	json.Unmarshal(ret, &props)
	ids := map[string]bool{}
	for _, p := range props {
		if strings.HasPrefix(p.Type, "child<") {
			ids[p.Name] = true
		}
	}
	return ids, nil
}

// freeNICIndex is the lowest N for which QEMU has no device netN.
func (d *domains) freeNICIndex(name string) (int, error) {
	ids, err := d.peripherals(name)
	if err != nil {
		return 0, err
	}
	i := 0
	for ids["net"+itoa(i)] {
		i++
	}
	return i, nil
}

// nicDevice is the id of QEMU's NIC (netN) with MAC address mac.
func (d *domains) nicDevice(name, mac string) (string, error) {
	ids, err := d.peripherals(name)
	if err != nil {
		return "", err
	}
	for id := range ids {
		if !strings.HasPrefix(id, "net") {
			continue
		}
		ret, err := d.qmp(name, "qom-get", map[string]any{"path": "/machine/peripheral/" + id, "property": "mac"})
		var got string
		if err == nil && json.Unmarshal(ret, &got) == nil && strings.EqualFold(got, mac) {
			return id, nil
		}
	}
	return "", backend.OperationFailed("QEMU has no network device with MAC address %s", mac)
}
