package backend

import (
	"context"
	"io"
)

// Optional capabilities. A driver's DomainService, NetworkService or Conn
// implements these when the driver can; commands type-assert and report
// "unsupported" otherwise, so a driver never carries stubs for what it
// cannot do. Capabilities one driver alone has (QEMU's monitor, LXC's
// namespaces) are declared in that driver's own file of this package.

// DomainConsole opens a domain's text console.
type DomainConsole interface {
	// OpenConsole connects to the console device dev ("" for the first
	// console or serial port). force takes the console over from another
	// client; otherwise a console in use is an ErrInvalidState error.
	OpenConsole(ctx context.Context, name, dev string, force bool) (io.ReadWriteCloser, error)
}

// AddressSource is where domifaddr reads guest addresses from.
type AddressSource int

const (
	AddressFromLease AddressSource = iota // the network's DHCP leases
	AddressFromAgent                      // the guest agent
	AddressFromARP                        // the host's ARP table
)

// IPAddress is one address of a guest interface.
type IPAddress struct {
	Type   string // "ipv4" or "ipv6"
	Addr   string
	Prefix int
}

// InterfaceAddresses are the addresses of one guest interface.
type InterfaceAddresses struct {
	Name  string // host-side device (vnet0) or guest name (eth0, from the agent)
	MAC   string
	Addrs []IPAddress
}

// DomainAddresses reports guest IP addresses (domifaddr).
type DomainAddresses interface {
	InterfaceAddresses(ctx context.Context, name string, source AddressSource) ([]InterfaceAddresses, error)
}

// BlockStats are a disk's I/O counters (domblkstat); -1 when unknown.
type BlockStats struct {
	RdReqs, RdBytes, WrReqs, WrBytes, FlushReqs int64
	RdTimeNS, WrTimeNS, FlushTimeNS             int64
	Errors                                      int64
}

// InterfaceStats are a guest interface's counters (domifstat); -1 when unknown.
type InterfaceStats struct {
	RxBytes, RxPackets, RxErrs, RxDrop int64
	TxBytes, TxPackets, TxErrs, TxDrop int64
}

// BlockInfo are a disk's sizes in bytes (domblkinfo).
type BlockInfo struct {
	Capacity, Allocation, Physical uint64
}

// DomainDeviceStats reports per-device statistics; disk is a target
// (vda) or source path, iface a target device (vnet0) or MAC address.
type DomainDeviceStats interface {
	BlockStats(ctx context.Context, name, disk string) (BlockStats, error)
	InterfaceStats(ctx context.Context, name, iface string) (InterfaceStats, error)
	BlockInfo(ctx context.Context, name, disk string) (BlockInfo, error)
}

// DomainSaveRestore saves a running domain's state to a file, stopping
// it, and restores it from there (save, restore).
type DomainSaveRestore interface {
	Save(ctx context.Context, name, file string) error
	Restore(ctx context.Context, file string) (DomainInfo, error)
}

// DomainDevices hot-plugs and unplugs devices given as libvirt device XML
// (attach-device, detach-device; attach-disk and attach-interface build
// the XML in the command, as virsh does).
type DomainDevices interface {
	AttachDevice(ctx context.Context, name, deviceXML string, scope Scope) error
	DetachDevice(ctx context.Context, name, deviceXML string, scope Scope) error
}

// NativeConfig converts between libvirt domain XML and a hypervisor's
// native configuration (domxml-to-native, domxml-from-native); format is
// "qemu-argv", "xen-xl", ... Implemented by a Conn.
type NativeConfig interface {
	DomainXMLToNative(ctx context.Context, format, domainXML string) (string, error)
	DomainXMLFromNative(ctx context.Context, format, config string) (string, error)
}

// Liveness lets a connection say it has dropped (a driver whose
// connection can die, like a remote one), so that the shell reopens it
// before the next line instead of failing every command.
type Liveness interface {
	IsAlive() bool
}
