package backend

import "context"

// DomainDeviceUpdate changes a device of a domain in place, given as
// libvirt device XML (update-device; change-media builds that XML from
// the domain's own <disk> as virsh does). Drivers change what they can
// (the medium of a cdrom, for the QEMU driver) and refuse the rest by
// name, as libvirt's virDomainUpdateDeviceFlags does.
type DomainDeviceUpdate interface {
	// UpdateDevice applies deviceXML to the device it names (a disk by
	// its target). force opens a cdrom's tray even when the guest has
	// locked it.
	UpdateDevice(ctx context.Context, name, deviceXML string, scope Scope, force bool) error
}
