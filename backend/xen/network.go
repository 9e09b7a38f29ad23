package xen

// A vif on a virtual network (<interface type='network'>) goes through the
// shared network driver's port API, as libvirt's libxl driver creates a
// network port for it: the network (which must be active) resolves to its
// bridge, written into the vif as bridge=BRIDGE with the vif-bridge
// script; Xen's netback makes the device and the hotplug script plugs it.
// Once the domain runs, virtsh records the port under the vif's name
// (vifDOMID.DEVID) so net-port-list lists it, and forgets it when the
// domain stops.

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
	"libvirt.org/go/libvirtxml"
)

// networkBridge resolves a virtual network to its bridge for the xl
// configuration of a domain that starts.
func (c *Conn) networkBridge(network string) (string, error) {
	return c.nets.PortBridge(netdrv.PortSpec{Network: network})
}

// convertedBridge is networkBridge for domxml-to-native, with the errors
// of libvirt's converter (xenFormatNet).
func (c *Conn) convertedBridge(network string) (string, error) {
	info, err := c.nets.LookupByName(context.Background(), network)
	if err != nil {
		return "", err
	}
	if !info.Active || info.Bridge == "" {
		return "", backend.Internal("network %s is not active", network)
	}
	return info.Bridge, nil
}

// toXL converts a definition for xl, resolving its virtual networks.
func (c *Conn) toXL(d *libvirtxml.Domain) (*xlconfig.Config, error) {
	cfg, err := xlconfig.ToXL(d, xlconfig.Options{NetworkBridge: c.networkBridge})
	if err != nil {
		return nil, convError(err)
	}
	return cfg, nil
}

// vifName is the dom0 name of a domain's devid-th vif: its <target dev>,
// or the name netback gives it.
func vifName(domid, devid int, nic *libvirtxml.DomainInterface) string {
	if nic.Target != nil && nic.Target.Dev != "" {
		return nic.Target.Dev
	}
	return fmt.Sprintf("vif%d.%d", domid, devid)
}

// recordPorts records the ports of a running domain's vifs on virtual
// networks; xl numbers the vifs of a configuration from 0 in order.
func (c *Conn) recordPorts(d *libvirtxml.Domain, domid int) error {
	if d.Devices == nil {
		return nil
	}
	for i := range d.Devices.Interfaces {
		if err := c.recordPort(d, &d.Devices.Interfaces[i], vifName(domid, i, &d.Devices.Interfaces[i])); err != nil {
			return err
		}
	}
	return nil
}

// recordPort records the port of one vif, when it is on a virtual network.
func (c *Conn) recordPort(d *libvirtxml.Domain, nic *libvirtxml.DomainInterface, device string) error {
	if nic.Source == nil || nic.Source.Network == nil || nic.MAC == nil {
		return nil
	}
	_, err := c.nets.RecordPort(netdrv.PortSpec{Network: nic.Source.Network.Network, Owner: d.Name, OwnerUUID: d.UUID,
		MAC: nic.MAC.Address, Device: device})
	return err
}

// releasePorts forgets the ports of a domain that stopped.
func (c *Conn) releasePorts(ctx context.Context, uuid string) error {
	if uuid == "" {
		return nil
	}
	return c.nets.UnplugOwned(ctx, uuid)
}

// recordAttachedPort records the port of a vif network-attach plugged:
// its devid is the one `xl network-list` shows for its MAC.
func (c *Conn) recordAttachedPort(ctx context.Context, v *view, nic *libvirtxml.DomainInterface) error {
	if nic.Source == nil || nic.Source.Network == nil {
		return nil
	}
	out, err := c.xl(ctx, "network-list", v.xl.Arg())
	if err != nil {
		return err
	}
	devid, ok := vifDevID(out, nic.MAC.Address)
	if !ok {
		return backend.OperationFailed("xl network-list does not show the vif with MAC %s of domain '%s'", nic.MAC.Address, v.name)
	}
	return c.recordPort(&libvirtxml.Domain{Name: v.name, UUID: v.xl.UUID}, nic, vifName(v.xl.ID, devid, nic))
}

// vifDevID finds the devid (Idx) of the vif with MAC mac in the output of
// `xl network-list`:
//
//	Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path
//	0   0  00:16:3e:00:00:02     0     4     19    768/769         /local/domain/0/backend/vif/3/0
func vifDevID(out []byte, mac string) (int, bool) {
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || !strings.EqualFold(f[2], mac) {
			continue
		}
		if id, err := strconv.Atoi(f[0]); err == nil {
			return id, true
		}
	}
	return 0, false
}

// releasePort forgets the port of the vif with MAC mac that was detached.
func (c *Conn) releasePort(ctx context.Context, uuid, mac string) error {
	ports, err := c.nets.OwnedPorts(uuid)
	if err != nil {
		return err
	}
	for _, p := range ports {
		if strings.EqualFold(p.MAC, mac) {
			return c.nets.Unplug(ctx, p)
		}
	}
	return nil
}
