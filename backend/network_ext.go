package backend

import (
	"context"
	"time"
)

// Optional capabilities of a NetworkService over real host networks
// (backend/netdrv): DHCP leases, live updates, ports; and of a Conn: the
// host's own interfaces. Commands type-assert them.

// NetworkLease is one DHCP lease of a network (virNetworkDHCPLease).
type NetworkLease struct {
	Interface string // the network's bridge
	Expiry    time.Time
	Type      string // "ipv4" or "ipv6"
	MAC       string
	IAID      string
	IPAddr    string
	Prefix    int
	Hostname  string
	ClientID  string
}

// NetworkLeases reads a network's DHCP leases (net-dhcp-leases); mac, when
// not empty, selects one guest's.
type NetworkLeases interface {
	DHCPLeases(ctx context.Context, network, mac string) ([]NetworkLease, error)
}

// NetworkUpdateCommand is libvirt's virNetworkUpdateCommand.
type NetworkUpdateCommand int

const (
	NetworkUpdateModify NetworkUpdateCommand = iota + 1
	NetworkUpdateDelete
	NetworkUpdateAddLast
	NetworkUpdateAddFirst
)

// NetworkUpdate is one net-update request: a command on a section
// ("ip-dhcp-host", "ip-dhcp-range", ...) with an XML element; ParentIndex
// selects the <ip> element (-1: the first with DHCP).
type NetworkUpdate struct {
	Command     NetworkUpdateCommand
	Section     string
	ParentIndex int
	XML         string
	Scope       Scope // neither: the live state when active, the config otherwise
}

// NetworkUpdater changes parts of a network's configuration (net-update).
type NetworkUpdater interface {
	Update(ctx context.Context, network string, u NetworkUpdate) error
}

// NetworkPort is a guest interface plugged into a network (net-port-list).
type NetworkPort struct {
	UUID    string
	Network string
	Owner   string // the domain's name
	MAC     string // the guest's MAC
	Device  string // the host-side device (vnet0, veth0)
	Bridge  string
}

// NetworkPorts lists the ports of a network.
type NetworkPorts interface {
	Ports(ctx context.Context, network string) ([]NetworkPort, error)
}

// HostInterface is one of the host's network interfaces.
type HostInterface struct {
	Name   string
	MAC    string
	Active bool
}

// BridgeOptions are iface-bridge's options.
type BridgeOptions struct {
	STP     bool
	Delay   uint32 // forward delay in seconds
	NoStart bool
}

// InterfaceService manages the host's interfaces (iface-* commands).
// Interfaces are named by name or MAC address.
type InterfaceService interface {
	List(ctx context.Context) ([]HostInterface, error)
	Lookup(ctx context.Context, nameOrMAC string) (HostInterface, error)
	XML(ctx context.Context, name string, opts XMLOptions) (string, error)
	Start(ctx context.Context, name string) error
	Destroy(ctx context.Context, name string) error
	// Bridge makes bridge over iface, moving iface's addresses to it.
	Bridge(ctx context.Context, iface, bridge string, opts BridgeOptions) error
	// Unbridge deletes bridge, giving its addresses back to its one
	// port, whose name it returns.
	Unbridge(ctx context.Context, bridge string, noStart bool) (port string, err error)
}

// HostInterfaces is a Conn that manages host interfaces.
type HostInterfaces interface {
	Interfaces() InterfaceService
}

// NoInterface is libvirt's VIR_ERR_NO_INTERFACE.
func NoInterface(format string, args ...any) error {
	return newError(CodeNotFound, "Interface not found", format, args...)
}
