package netdrv

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv/links"
)

// The port API: how the QEMU and LXC drivers plug a guest interface into
// a virtual network or a host bridge, and unplug it.
//
//	port, err := drv.PlugTap(ctx, netdrv.PortSpec{Network: "default", MAC: mac, Owner: "vm1", VnetHdr: true})
//	// pass port.TapFiles to QEMU (-netdev tap,fd=N), then close them here
//	port.CPUsStarted()   // after `cont`, and on every resume
//	port.CPUsStopped()   // on pause, save, migration
//	drv.Unplug(ctx, port) // when the guest stops
//
// Each port is recorded in the runtime directory (net-port-list lists
// them), so a supervisor restarted after a crash finds it again with
// LoadPort(device) and can unplug it with UnplugRecorded(device).

// PortSpec says what to plug.
type PortSpec struct {
	Network string // a virtual network's name, or
	Bridge  string // a host bridge (<interface type='bridge'>)

	Owner     string // the domain's name
	OwnerUUID string
	MAC       string // the guest's MAC address
	// Device is the host-side name, or a pattern with %d (default
	// "vnet%d" for taps, "veth%d" for veths).
	Device string
	MTU    int // 0: the bridge's MTU
	// VnetHdr asks for IFF_VNET_HDR (virtio-net).
	VnetHdr bool
	// Persistent keeps the tap when its files are closed (QEMU opens it
	// by name, ifname=); otherwise it disappears when QEMU exits.
	Persistent bool
	// Peer is the container end of a veth (default: the device name with
	// "p" appended); the LXC driver moves it into the container.
	Peer string
}

// Port is a plugged guest interface.
type Port struct {
	UUID      string `json:"uuid"`
	Network   string `json:"network,omitempty"`
	Bridge    string `json:"bridge"`
	Owner     string `json:"owner,omitempty"`
	OwnerUUID string `json:"owner_uuid,omitempty"`
	MAC       string `json:"mac"`
	Device    string `json:"device"`
	Peer      string `json:"peer,omitempty"`
	Kind      string `json:"kind"` // "tap", "veth" or KindHypervisor
	// MACTableLibvirt: the bridge's MAC table is managed by virtsh
	// (macTableManager='libvirt'): learning and flooding are off on the
	// port and the guest MAC gets a static FDB entry while its CPUs run.
	MACTableLibvirt bool `json:"mac_table_libvirt"`

	// TapFiles are the open tap queues to hand to QEMU (taps only; not
	// recorded). The caller closes them once QEMU has its copies.
	TapFiles []*os.File `json:"-"`

	drv *Driver
}

// target is where a spec plugs: the bridge and whether virtsh manages its
// MAC table.
func (d *Driver) target(spec PortSpec) (bridge string, macTable bool, err error) {
	if spec.Network == "" {
		if spec.Bridge == "" {
			return "", false, backend.InvalidArgument("a port needs a network or a bridge")
		}
		if !links.IsBridge(spec.Bridge) {
			return "", false, backend.OperationFailed("bridge '%s' does not exist", spec.Bridge)
		}
		return spec.Bridge, false, nil
	}
	o, err := d.get(spec.Network)
	if err != nil {
		return "", false, err
	}
	if !o.active {
		return "", false, backend.OperationFailed("network '%s' is not active", spec.Network)
	}
	return o.def.Bridge.Name, macTableLibvirt(o.def), nil
}

// PlugTap creates a tap for a QEMU guest interface and plugs it into the
// network or bridge: host MAC FE:xx (links.HostMAC), the bridge's MTU,
// enslaved, learning and unicast flooding off for
// macTableManager='libvirt', up. Failure leaves nothing behind.
func (d *Driver) PlugTap(_ context.Context, spec PortSpec) (*Port, error) {
	return d.plug(spec, "tap")
}

// PlugVeth creates a veth pair for an LXC guest interface: the host end
// is plugged as PlugTap plugs a tap; the peer, with the guest MAC, is
// left in this namespace for the LXC driver to move into the container.
func (d *Driver) PlugVeth(_ context.Context, spec PortSpec) (*Port, error) {
	return d.plug(spec, "veth")
}

func (d *Driver) plug(spec PortSpec, kind string) (p *Port, err error) {
	guest, err := net.ParseMAC(spec.MAC)
	if err != nil || len(guest) != 6 {
		return nil, backend.InvalidArgument("invalid guest MAC address '%s'", spec.MAC)
	}
	bridge, macTable, err := d.target(spec)
	if err != nil {
		return nil, err
	}
	mtu := spec.MTU
	if mtu == 0 {
		if mtu, err = links.MTU(bridge); err != nil {
			return nil, backend.OperationFailed("cannot read the MTU of bridge '%s': %v", bridge, err)
		}
	}
	unlock, err := fsutil.Lock(filepath.Join(portsDir(d.dirs), "ports.lock"))
	if err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	defer unlock()
	p = &Port{
		UUID: backend.NewUUID(), Network: spec.Network, Bridge: bridge, Owner: spec.Owner, OwnerUUID: spec.OwnerUUID,
		MAC: guest.String(), Kind: kind, MACTableLibvirt: macTable, drv: d,
	}
	if err := d.createDevice(p, spec, guest, mtu); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			p.closeFiles()
			links.Delete(p.Device)
		}
	}()
	flags := links.PortFlags{NoLearning: macTable, NoUnicastFlood: macTable}
	if err := links.Enslave(p.Device, bridge, mtu, flags); err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	if err := d.savePort(p); err != nil {
		return nil, err
	}
	return p, nil
}

func (d *Driver) createDevice(p *Port, spec PortSpec, guest net.HardwareAddr, mtu int) error {
	name := spec.Device
	if p.Kind == "tap" {
		if name == "" {
			name = "vnet%d"
		}
		tap, err := links.CreateTap(name, links.HostMAC(guest), mtu, spec.VnetHdr, spec.Persistent)
		if err != nil {
			return backend.OperationFailed("%v", err)
		}
		p.Device, p.TapFiles = tap.Name, tap.Files
		return nil
	}
	if name == "" || strings.Contains(name, "%d") {
		pattern := name
		if pattern == "" {
			pattern = "veth%d"
		}
		var err error
		if name, err = links.FreeName(pattern, nil); err != nil {
			return backend.OperationFailed("%v", err)
		}
	}
	peer := spec.Peer
	if peer == "" {
		peer = name + "p"
	}
	if err := links.CreateVeth(name, peer, links.HostMAC(guest), guest, mtu); err != nil {
		return backend.OperationFailed("%v", err)
	}
	p.Device, p.Peer = name, peer
	return nil
}

func (p *Port) closeFiles() {
	for _, f := range p.TapFiles {
		f.Close()
	}
	p.TapFiles = nil
}

func (d *Driver) portPath(device string) string {
	return filepath.Join(portsDir(d.dirs), device+".json")
}

func (d *Driver) savePort(p *Port) error {
	b, _ := json.MarshalIndent(p, "", "  ")
	if err := fsutil.WriteAtomic(d.portPath(p.Device), append(b, '\n'), 0o600); err != nil {
		return backend.OperationFailed("cannot record port %s: %v", p.Device, err)
	}
	return nil
}

// LoadPort returns the recorded port of host device device.
func (d *Driver) LoadPort(device string) (*Port, error) {
	if err := backend.ValidateName("port", device); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(d.portPath(device))
	if errors.Is(err, os.ErrNotExist) {
		return nil, backend.Plain(backend.CodeNotFound, "Network port not found: no port with device '%s'", device)
	}
	if err != nil {
		return nil, backend.OperationFailed("cannot read port %s: %v", device, err)
	}
	p := &Port{drv: d}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, backend.Internal("corrupt record of port %s: %v", device, err)
	}
	return p, nil
}

// CPUsStarted adds the static FDB entry of the guest MAC on the port when
// virtsh manages the bridge's MAC table: call it when the guest's CPUs
// start or resume, and right after a hot-plug.
func (p *Port) CPUsStarted() error {
	if !p.MACTableLibvirt {
		return nil
	}
	mac, _ := net.ParseMAC(p.MAC)
	if err := links.AddFDB(p.Device, mac); err != nil {
		return backend.OperationFailed("%v", err)
	}
	return nil
}

// CPUsStopped removes that entry: call it when the CPUs stop (pause,
// save, migration).
func (p *Port) CPUsStopped() error {
	if !p.MACTableLibvirt {
		return nil
	}
	mac, _ := net.ParseMAC(p.MAC)
	if err := links.DelFDB(p.Device, mac); err != nil {
		return backend.OperationFailed("%v", err)
	}
	return nil
}

// Unplug removes the port: its FDB entry, its device (a tap QEMU already
// closed may be gone; deleting a veth end deletes both; a hypervisor's
// device is left to the hypervisor) and its record.
func (d *Driver) Unplug(_ context.Context, p *Port) error {
	p.closeFiles()
	var errs []error
	if err := p.CPUsStopped(); err != nil {
		errs = append(errs, err)
	}
	if p.Kind != KindHypervisor {
		if err := links.Delete(p.Device); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(d.portPath(p.Device)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return backend.OperationFailed("cannot unplug %s: %v", p.Device, errors.Join(errs...))
	}
	return nil
}

// UnplugRecorded unplugs the port of device from its record alone (a
// supervisor cleaning up after the guest, even when the virtsh that
// plugged it is gone). A device with no record is not an error.
func (d *Driver) UnplugRecorded(ctx context.Context, device string) error {
	p, err := d.LoadPort(device)
	if errors.Is(err, backend.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return d.Unplug(ctx, p)
}

// Ports lists the recorded ports of network (net-port-list), by UUID.
func (d *Driver) Ports(_ context.Context, network string) ([]backend.NetworkPort, error) {
	if _, err := d.get(network); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(portsDir(d.dirs))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, backend.OperationFailed("cannot list ports: %v", err)
	}
	var out []backend.NetworkPort
	for _, e := range entries {
		device, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		p, err := d.LoadPort(device)
		if err != nil || p.Network != network {
			continue
		}
		out = append(out, backend.NetworkPort{UUID: p.UUID, Network: p.Network, Owner: p.Owner, MAC: p.MAC, Device: p.Device, Bridge: p.Bridge})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out, nil
}
