package qemu

// A guest interface of type network or bridge is a tap, plugged through
// the network driver's port API (backend/netdrv), as libvirt's QEMU driver
// asks its network driver for a port: the tap (FE: MAC, MTU, enslaved,
// port flags) is recorded by netdrv, so net-port-list lists it and any
// virtsh can unplug it from the record.

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/virtsh/virtsh/backend/qemu/argv"
	"libvirt.org/go/libvirtxml"
)

// tapPorts are a running domain's plugged taps.
type tapPorts struct {
	nets  *netdrv.Driver
	ports []*netdrv.Port
}

// plugTaps plugs the command's taps; it returns the files QEMU gets as fd
// 3, 4, ... (the caller closes them once QEMU has started) and records
// each tap's name as the interface's <target dev> in dom. On failure
// nothing stays plugged.
func plugTaps(dom *libvirtxml.Domain, taps []argv.Tap) (tp *tapPorts, files []*os.File, err error) {
	tp = &tapPorts{}
	if len(taps) == 0 {
		return tp, nil, nil
	}
	if tp.nets, err = netdrv.System(); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			tp.unplug()
			tp, files = nil, nil
		}
	}()
	for _, t := range taps {
		port, err := tp.nets.PlugTap(context.Background(), tapSpec(dom, t))
		if err != nil {
			return nil, nil, err
		}
		tp.ports = append(tp.ports, port)
		files = append(files, port.TapFiles...)
		port.TapFiles = nil
		dom.Devices.Interfaces[t.Index].Target = &libvirtxml.DomainInterfaceTarget{Dev: port.Device}
	}
	return tp, files, nil
}

// tapSpec is the network driver's port for tap t of dom.
func tapSpec(dom *libvirtxml.Domain, t argv.Tap) netdrv.PortSpec {
	spec := netdrv.PortSpec{Network: t.Network, Bridge: t.Bridge, Owner: dom.Name, OwnerUUID: dom.UUID,
		MAC: t.MAC, MTU: int(t.MTU), VnetHdr: true}
	if validTapName(t.Dev) {
		spec.Device = t.Dev
	}
	return spec
}

// devices are the host names of the taps.
func (tp *tapPorts) devices() []string {
	var out []string
	for _, p := range tp.ports {
		out = append(out, p.Device)
	}
	return out
}

// cpusStarted adds the guest MACs' FDB entries (macTableManager='libvirt'):
// after `cont`, at start and on resume.
func (tp *tapPorts) cpusStarted() error { return tp.each((*netdrv.Port).CPUsStarted) }

// cpusStopped removes them: on pause.
func (tp *tapPorts) cpusStopped() error { return tp.each((*netdrv.Port).CPUsStopped) }

func (tp *tapPorts) each(event func(*netdrv.Port) error) error {
	var errs []error
	for _, p := range tp.ports {
		errs = append(errs, event(p))
	}
	return errors.Join(errs...)
}

// unplug removes the taps and their records.
func (tp *tapPorts) unplug() {
	for _, p := range tp.ports {
		if err := tp.nets.Unplug(context.Background(), p); err != nil {
			logf("%v", err)
		}
	}
	tp.ports = nil
}

// recordedTaps are the ports of taps devices from the network driver's
// records: a virtsh acting on a domain whose supervisor is gone.
func recordedTaps(devices []string) *tapPorts {
	tp := &tapPorts{}
	if len(devices) == 0 {
		return tp
	}
	nets, err := netdrv.System()
	if err != nil {
		logf("%v", err)
		return tp
	}
	tp.nets = nets
	for _, dev := range devices {
		if p, err := nets.LoadPort(dev); err == nil {
			tp.ports = append(tp.ports, p)
		}
	}
	return tp
}

// validTapName: a <target dev> libvirt would keep for a tap it creates
// (it ignores names starting with vnet, macvtap or macvlan and generates
// one).
func validTapName(n string) bool {
	if len(n) >= 16 || len(n) == 0 {
		return false
	}
	for _, p := range []string{"vnet", "macvtap", "macvlan"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	return true
}
