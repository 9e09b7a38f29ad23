package qemu

import (
	"context"
	"encoding/json"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/virtsh/virtsh/backend/qemu/argv"
)

// The supervisor's half of interface hot-plug: it owns the domain's taps
// (their FDB entries follow the CPUs, and it unplugs them when QEMU
// exits), so it plugs and unplugs them, around QEMU's netdev and device.

// nicPlug asks the supervisor to plug an interface: its tap, if any
// (plugged persistent, so that QEMU opens it by name, for want of a way
// to pass QEMU a file descriptor over go-qemu's monitor), then
// netdev_add and device_add.
type nicPlug struct {
	Tap    *argv.Tap         `json:"tap,omitempty"`
	Netdev map[string]any    `json:"netdev"`
	Device map[string]string `json:"device"`
}

// nicUnplug asks it to unplug one: device_del (waiting for the guest),
// netdev_del, then the tap.
type nicUnplug struct {
	Device string `json:"device"`
	Netdev string `json:"netdev"`
	Tap    string `json:"tap,omitempty"`
}

// plugNIC returns the tap's name ("" without one) as a JSON string.
func (s *supervisor) plugNIC(p nicPlug) (json.RawMessage, error) {
	var port *netdrv.Port
	var nets *netdrv.Driver
	if p.Tap != nil {
		var err error
		if nets, err = netdrv.System(); err != nil {
			return nil, err
		}
		spec := tapSpec(s.dom, *p.Tap)
		spec.Persistent = true
		if port, err = nets.PlugTap(context.Background(), spec); err != nil {
			return nil, err
		}
		for _, f := range port.TapFiles {
			f.Close()
		}
		port.TapFiles = nil
		p.Netdev["ifname"] = port.Device
	}
	undo := func() {
		if port != nil {
			if err := nets.Unplug(context.Background(), port); err != nil {
				logf("%v", err)
			}
		}
	}
	if _, err := runQMP(s.mon, "netdev_add", p.Netdev); err != nil {
		undo()
		return nil, err
	}
	if _, err := runQMP(s.mon, "device_add", p.Device); err != nil {
		runQMP(s.mon, "netdev_del", map[string]any{"id": p.Netdev["id"]})
		undo()
		return nil, err
	}
	if port == nil {
		return json.RawMessage(`""`), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taps.nets = nets
	s.taps.ports = append(s.taps.ports, port)
	s.st.Taps = s.taps.devices()
	if err := s.c.writeStatus(s.name, s.st); err != nil {
		logf("%v", err)
	}
	if s.st.State == backend.DomainRunning {
		s.cpusLocked(port.CPUsStarted)
	}
	name, _ := json.Marshal(port.Device)
	return name, nil
}

func (s *supervisor) unplugNIC(u nicUnplug, wait time.Duration) error {
	if err := s.deviceDel(u.Device, wait); err != nil {
		return err
	}
	if _, err := runQMP(s.mon, "netdev_del", map[string]any{"id": u.Netdev}); err != nil {
		return err
	}
	if u.Tap == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.taps.ports {
		if p.Device != u.Tap {
			continue
		}
		s.taps.ports = append(s.taps.ports[:i], s.taps.ports[i+1:]...)
		s.st.Taps = s.taps.devices()
		if err := s.c.writeStatus(s.name, s.st); err != nil {
			logf("%v", err)
		}
		return s.taps.nets.Unplug(context.Background(), p)
	}
	return nil
}
