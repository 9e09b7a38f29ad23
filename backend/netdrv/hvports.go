package netdrv

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

// Ports whose device the hypervisor makes and plugs itself: Xen's netback
// creates the vif and its vif-bridge hotplug script enslaves it to the
// bridge the vif's configuration names. As libvirt's libxl driver asks
// its network driver for a port (virNetworkPortCreateXML) and writes the
// port's bridge into the vif, the Xen driver resolves the network with
// PortBridge before xl creates the vif, then records the port with
// RecordPort; Unplug forgets it (the device is the hypervisor's to
// remove).

// KindHypervisor is the kind of a port whose device the hypervisor owns.
const KindHypervisor = "vif"

// PortBridge is the bridge spec plugs into: the network's (which must be
// active) or the host bridge named.
func (d *Driver) PortBridge(spec PortSpec) (string, error) {
	bridge, _, err := d.target(spec)
	return bridge, err
}

// RecordPort records the port of spec.Device, a device the hypervisor
// created and plugged into the bridge PortBridge named. virtsh does not
// manage the MAC table of such a port (the hotplug script plugs it).
func (d *Driver) RecordPort(spec PortSpec) (*Port, error) {
	if err := backend.ValidateName("port", spec.Device); err != nil {
		return nil, err
	}
	guest, err := net.ParseMAC(spec.MAC)
	if err != nil || len(guest) != 6 {
		return nil, backend.InvalidArgument("invalid guest MAC address '%s'", spec.MAC)
	}
	bridge, err := d.PortBridge(spec)
	if err != nil {
		return nil, err
	}
	unlock, err := fsutil.Lock(filepath.Join(portsDir(d.dirs), "ports.lock"))
	if err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	defer unlock()
	p := &Port{
		UUID: backend.NewUUID(), Network: spec.Network, Bridge: bridge, Owner: spec.Owner, OwnerUUID: spec.OwnerUUID,
		MAC: guest.String(), Device: spec.Device, Kind: KindHypervisor, drv: d,
	}
	if err := d.savePort(p); err != nil {
		return nil, err
	}
	return p, nil
}

// OwnedPorts are the recorded ports of the domain with UUID owner.
func (d *Driver) OwnedPorts(owner string) ([]*Port, error) {
	entries, err := os.ReadDir(portsDir(d.dirs))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, backend.OperationFailed("cannot list ports: %v", err)
	}
	var out []*Port
	for _, e := range entries {
		device, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		if p, err := d.LoadPort(device); err == nil && strings.EqualFold(p.OwnerUUID, owner) {
			out = append(out, p)
		}
	}
	return out, nil
}

// UnplugOwned unplugs every recorded port of the domain with UUID owner.
func (d *Driver) UnplugOwned(ctx context.Context, owner string) error {
	ports, err := d.OwnedPorts(owner)
	var errs []error
	for _, p := range ports {
		errs = append(errs, d.Unplug(ctx, p))
	}
	return errors.Join(append(errs, err)...)
}
