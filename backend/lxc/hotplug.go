package lxc

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/devicexml"
	"github.com/virtsh/virtsh/backend/store"
	"libvirt.org/go/libvirtxml"
)

// Device hot-plug, after libvirt's lxcDomainAttachDeviceFlags and
// lxcDomainDetachDeviceFlags: <interface> and <disk> join or leave the
// persistent definition (validated as define validates it) and a running
// container: interfaces of type bridge and network plugged the way start
// plugs them, block disks made nodes of its /dev (disks.go).

// AttachDevice implements backend.DomainDevices.
func (s *domains) AttachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	if dev.NIC != nil && dev.MAC() == "" {
		dev.NIC.MAC = &libvirtxml.DomainInterfaceMAC{Address: backend.NewMAC()}
	}
	return s.changeDevice(name, scope, func(d *libvirtxml.Domain) error { return devicexml.Attach(d, dev) },
		func(o *domObj) error { return s.plug(ctx, o, dev) })
}

// DetachDevice implements backend.DomainDevices: a disk is found by its
// target or source, an interface by its MAC address.
func (s *domains) DetachDevice(ctx context.Context, name, deviceXML string, scope backend.Scope) error {
	dev, err := devicexml.Parse(deviceXML)
	if err != nil {
		return err
	}
	return s.changeDevice(name, scope, func(d *libvirtxml.Domain) error { return devicexml.Detach(d, dev) },
		func(o *domObj) error { return s.unplug(ctx, o, dev) })
}

// changeDevice applies a device change under the domain's lock, in
// libvirt's order (devicexml.Change).
func (s *domains) changeDevice(name string, scope backend.Scope, edit func(*libvirtxml.Domain) error, live func(*domObj) error) error {
	o, unlock, err := s.lockedLoad(name)
	if err != nil {
		return err
	}
	defer unlock()
	onLive, onConfig, err := scope.Resolve(o.active(), o.persistent)
	if err != nil {
		return err
	}
	return devicexml.Change{
		Live: onLive, Config: onConfig,
		Definition: func() (string, error) { return s.editedDefinition(name, edit) },
		Plug:       func() error { return live(o) },
		Write:      func(def string) error { return s.c.defs.Write(name, def) },
	}.Apply()
}

// editedDefinition is name's persistent definition changed by edit and
// checked as define checks a definition.
func (s *domains) editedDefinition(name string, edit func(*libvirtxml.Domain) error) (string, error) {
	doc, _, err := s.c.defs.Read(name)
	if err != nil {
		return "", err
	}
	return devicexml.Edit(doc, edit, func(out string) (string, error) {
		d, err := parseDomain(out)
		if err != nil {
			return "", err
		}
		return store.MarshalDomain(d)
	})
}

// plug adds a device to a running container.
func (s *domains) plug(ctx context.Context, o *domObj, dev devicexml.Device) error {
	if dev.Disk != nil {
		return s.plugDisk(o, *dev.Disk)
	}
	return s.plugNIC(ctx, o, *dev.NIC)
}

// unplug removes a device from a running container.
func (s *domains) unplug(ctx context.Context, o *domObj, dev devicexml.Device) error {
	if dev.Disk != nil {
		return s.unplugDisk(o, dev.Disk.Target.Dev)
	}
	return s.unplugNIC(ctx, o, dev.MAC())
}

// plugNIC plugs an interface into a running container as start plugs
// one (plugInterface: a veth pair through the network driver's port API,
// its peer moved into the container and named ethN or the <guest dev>,
// then given its addresses and routes), and records it in the runtime
// state and live XML, where destroy, dumpxml and any other virtsh find
// it. A failure part-way unplugs what was plugged.
func (s *domains) plugNIC(ctx context.Context, o *domObj, nic libvirtxml.DomainInterface) error {
	if err := validateInterface(&nic); err != nil {
		return err
	}
	live := o.def
	if len(devicexml.NICs(live, nic.MAC.Address)) > 0 {
		return backend.InvalidArgument("network device with mac %s already exists", nic.MAC.Address)
	}
	pid := o.st.InitPID
	if err := ownNetns(pid, o.st.ControllerPID); err != nil {
		return err
	}
	taken, err := guestLinks(pid)
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	nameGuestInterfaces(live)
	if nic.Guest != nil && nic.Guest.Dev != "" {
		if slices.Contains(taken, nic.Guest.Dev) {
			return backend.InvalidArgument("the container already has a network interface named %s", nic.Guest.Dev)
		}
	} else {
		nic.Guest = &libvirtxml.DomainInterfaceGuest{Dev: freeGuestName(taken)}
	}
	if nic.Target != nil && generatedName(nic.Target.Dev) {
		nic.Target = nil
	}
	live.Devices.Interfaces = append(live.Devices.Interfaces, nic)
	i := len(live.Devices.Interfaces) - 1
	port, err := plugInterface(ctx, s.c.nets, live, pid, i)
	if err != nil {
		return asBackendError(err)
	}
	undo := func(err error) error {
		return errors.Join(asBackendError(err), s.c.nets.Unplug(ctx, port))
	}
	if err := configureGuest(pid, live.Devices.Interfaces[i:]); err != nil {
		return undo(err)
	}
	if o.st.State == backend.DomainRunning {
		if err := port.CPUsStarted(); err != nil {
			return undo(err)
		}
	}
	live.Devices.Interfaces[i].Target = &libvirtxml.DomainInterfaceTarget{Dev: port.Device}
	files := s.files(live.Name)
	if err := files.update(func(st *runState) error { st.Veths = append(st.Veths, port.Device); return nil }); err != nil {
		return undo(err)
	}
	if err := s.writeLive(live); err != nil {
		files.update(func(st *runState) error { st.Veths = without(st.Veths, port.Device); return nil })
		return undo(err)
	}
	return nil
}

// unplugNIC removes the interface with MAC address mac (the only one
// when mac is "") from a running container, as libvirt's
// lxcDomainDetachDeviceNetLive does: deleting the host end of its veth
// pair deletes the container's end; its port goes too.
func (s *domains) unplugNIC(ctx context.Context, o *domObj, mac string) error {
	live := o.def
	i, err := devicexml.NIC(live, mac)
	if err != nil {
		return err
	}
	n := live.Devices.Interfaces[i]
	if n.Target == nil || n.Target.Dev == "" {
		return backend.OperationFailed("interface %s has no host device recorded", n.MAC.Address)
	}
	port, err := s.c.nets.LoadPort(n.Target.Dev)
	if err != nil {
		return err
	}
	if err := s.c.nets.Unplug(ctx, port); err != nil {
		return err
	}
	nameGuestInterfaces(live)
	live.Devices.Interfaces = slices.Delete(live.Devices.Interfaces, i, i+1)
	err = s.files(live.Name).update(func(st *runState) error { st.Veths = without(st.Veths, port.Device); return nil })
	return errors.Join(err, s.writeLive(live))
}

// writeLive stores the live XML of a running container.
func (s *domains) writeLive(d *libvirtxml.Domain) error {
	doc, err := store.MarshalDomain(d)
	if err != nil {
		return err
	}
	return s.c.live.Write(d.Name, doc)
}

// nameGuestInterfaces records in the live XML the name each interface
// has in the container (ethI by position, as start names them), so that
// positions may change by hot-plug without renaming anything, and a
// reboot plugs each under the name it had.
func nameGuestInterfaces(d *libvirtxml.Domain) {
	for i := range d.Devices.Interfaces {
		iface := &d.Devices.Interfaces[i]
		if iface.Guest == nil || iface.Guest.Dev == "" {
			iface.Guest = &libvirtxml.DomainInterfaceGuest{Dev: guestName(i, iface)}
		}
	}
}

// freeGuestName is the first ethN the container does not have.
func freeGuestName(taken []string) string {
	for n := 0; ; n++ {
		if name := "eth" + strconv.Itoa(n); !slices.Contains(taken, name) {
			return name
		}
	}
}

// guestLinks are the names of the links in the network namespace of
// process pid.
func guestLinks(pid int) ([]string, error) {
	h, closeNS, err := handleAt(pid)
	if err != nil {
		return nil, err
	}
	defer closeNS()
	links, err := h.LinkList()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(links))
	for _, l := range links {
		names = append(names, l.Attrs().Name)
	}
	return names, nil
}

// ownNetns refuses a container (init pid) that shares its controller's
// network namespace, the host's, where an interface cannot be moved in
// (libvirt's containers without <interface> or <privnet/>).
func ownNetns(pid, controller int) error {
	same, err := sameNetns(pid, controller)
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	if same {
		return backend.InvalidState("the container shares the host's network namespace: network interfaces cannot be attached to it live")
	}
	return nil
}

// sameNetns reports whether processes a and b are in one network
// namespace.
func sameNetns(a, b int) (bool, error) {
	var ino [2]uint64
	for i, pid := range []int{a, b} {
		fi, err := os.Stat("/proc/" + strconv.Itoa(pid) + "/ns/net")
		if err != nil {
			return false, err
		}
		ino[i] = fi.Sys().(*syscall.Stat_t).Ino
	}
	return ino[0] == ino[1], nil
}

// without is list less s.
func without(list []string, s string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == s })
}

// asBackendError keeps a backend error and makes any other one an
// operation failure.
func asBackendError(err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	return backend.OperationFailed("%v", err)
}
