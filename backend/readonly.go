package backend

import (
	"context"
	"io"
)

// readOnlyConn wraps a connection opened with -r: every method that changes
// something fails with ErrReadOnly, naming the libvirt API it stands for,
// whatever the driver; everything that only reads passes through.
type readOnlyConn struct{ Conn }

func (c readOnlyConn) Domains() DomainService     { return roDomains{c.Conn.Domains()} }
func (c readOnlyConn) Snapshots() SnapshotService { return roSnapshots{c.Conn.Snapshots()} }
func (c readOnlyConn) Networks() NetworkService   { return roNetworks{c.Conn.Networks()} }

type roDomains struct{ DomainService }

func (roDomains) Define(context.Context, string, DefineOptions) (DomainInfo, error) {
	return DomainInfo{}, ReadOnly("virDomainDefineXML")
}
func (roDomains) Undefine(context.Context, string, UndefineOptions) error {
	return ReadOnly("virDomainUndefineFlags")
}
func (roDomains) Create(context.Context, string, StartOptions) (DomainInfo, error) {
	return DomainInfo{}, ReadOnly("virDomainCreateXML")
}
func (roDomains) Start(context.Context, string, StartOptions) error {
	return ReadOnly("virDomainCreate")
}
func (roDomains) Shutdown(context.Context, string, ShutdownOptions) error {
	return ReadOnly("virDomainShutdown")
}
func (roDomains) Reboot(context.Context, string, ShutdownOptions) error {
	return ReadOnly("virDomainReboot")
}
func (roDomains) Destroy(context.Context, string, DestroyOptions) error {
	return ReadOnly("virDomainDestroy")
}
func (roDomains) Reset(context.Context, string) error   { return ReadOnly("virDomainReset") }
func (roDomains) Suspend(context.Context, string) error { return ReadOnly("virDomainSuspend") }
func (roDomains) Resume(context.Context, string) error  { return ReadOnly("virDomainResume") }
func (roDomains) SetAutostart(context.Context, string, bool) error {
	return ReadOnly("virDomainSetAutostart")
}
func (roDomains) SetMemory(context.Context, string, uint64, Scope) error {
	return ReadOnly("virDomainSetMemoryFlags")
}
func (roDomains) SetMaxMemory(context.Context, string, uint64, Scope) error {
	return ReadOnly("virDomainSetMemoryFlags")
}
func (roDomains) SetVCPUs(_ context.Context, _ string, _ int, opts VCPUOptions) error {
	if opts == (VCPUOptions{}) {
		return ReadOnly("virDomainSetVcpus")
	}
	return ReadOnly("virDomainSetVcpusFlags")
}

// XML with secrets (--security-info) is refused too, as libvirt does.
func (d roDomains) XML(ctx context.Context, name string, opts XMLOptions) (string, error) {
	if opts.Secure {
		return "", newError(CodeReadOnly, "operation forbidden", "virDomainGetXMLDesc with secure flag")
	}
	return d.DomainService.XML(ctx, name, opts)
}
func (roDomains) SetMetadata(context.Context, string, MetadataKind, string, Scope) error {
	return ReadOnly("virDomainSetMetadata")
}
func (roDomains) Rename(context.Context, string, string) error {
	return ReadOnly("virDomainRename")
}

type roSnapshots struct{ SnapshotService }

func (roSnapshots) Create(context.Context, string, string, SnapshotCreateOptions) (string, error) {
	return "", ReadOnly("virDomainSnapshotCreateXML")
}
func (roSnapshots) Revert(context.Context, string, string, SnapshotRevertOptions) error {
	return ReadOnly("virDomainRevertToSnapshot")
}
func (roSnapshots) Delete(context.Context, string, string, SnapshotDeleteOptions) error {
	return ReadOnly("virDomainSnapshotDelete")
}

type roNetworks struct{ NetworkService }

func (roNetworks) Define(context.Context, string, DefineOptions) (NetworkInfo, error) {
	return NetworkInfo{}, ReadOnly("virNetworkDefineXML")
}
func (roNetworks) Create(context.Context, string, DefineOptions) (NetworkInfo, error) {
	return NetworkInfo{}, ReadOnly("virNetworkCreateXML")
}
func (roNetworks) Undefine(context.Context, string) error { return ReadOnly("virNetworkUndefine") }
func (roNetworks) Start(context.Context, string) error    { return ReadOnly("virNetworkCreate") }
func (roNetworks) Destroy(context.Context, string) error  { return ReadOnly("virNetworkDestroy") }
func (roNetworks) SetAutostart(context.Context, string, bool) error {
	return ReadOnly("virNetworkSetAutostart")
}

// The optional capabilities that change a domain are refused too, so a
// read-only connection reports "read only" rather than "unsupported".

func (roDomains) EnterNamespace(context.Context, string, []string, Stdio) (int, error) {
	return -1, ReadOnly("virDomainLxcEnterNamespace")
}

func (roDomains) OpenConsole(context.Context, string, string, bool) (io.ReadWriteCloser, error) {
	return nil, ReadOnly("virDomainOpenConsole")
}

func (roDomains) Save(context.Context, string, string) error { return ReadOnly("virDomainSave") }
func (roDomains) Restore(context.Context, string) (DomainInfo, error) {
	return DomainInfo{}, ReadOnly("virDomainRestore")
}
func (roDomains) AttachDevice(context.Context, string, string, Scope) error {
	return ReadOnly("virDomainAttachDeviceFlags")
}
func (roDomains) DetachDevice(context.Context, string, string, Scope) error {
	return ReadOnly("virDomainDetachDeviceFlags")
}

// The QEMU monitor and guest agent can change anything, and a screenshot
// and key presses act on the guest: libvirt refuses them all read-only.

func (roDomains) MonitorCommand(context.Context, string, string, bool) (string, error) {
	return "", ReadOnly("virDomainQemuMonitorCommand")
}
func (roDomains) AgentCommand(context.Context, string, string, int) (string, error) {
	return "", ReadOnly("virDomainQemuAgentCommand")
}
func (roDomains) Screenshot(context.Context, string, uint, io.Writer) (string, error) {
	return "", ReadOnly("virDomainScreenshot")
}
func (roDomains) SendKey(context.Context, string, string, uint, []uint) error {
	return ReadOnly("virDomainSendKey")
}

// The optional capabilities that only read pass through to the driver
// (the wrapper would otherwise hide them), or answer "unsupported" as the
// driver would when it lacks them.

func (d roDomains) InterfaceAddresses(ctx context.Context, name string, source AddressSource) ([]InterfaceAddresses, error) {
	if source == AddressFromAgent { // the agent runs commands in the guest
		return nil, ReadOnly("virDomainInterfaceAddresses")
	}
	if a, ok := d.DomainService.(DomainAddresses); ok {
		return a.InterfaceAddresses(ctx, name, source)
	}
	return nil, Unsupported("virDomainInterfaceAddresses")
}

func (d roDomains) BlockStats(ctx context.Context, name, disk string) (BlockStats, error) {
	if s, ok := d.DomainService.(DomainDeviceStats); ok {
		return s.BlockStats(ctx, name, disk)
	}
	return BlockStats{}, Unsupported("virDomainBlockStats")
}

func (d roDomains) InterfaceStats(ctx context.Context, name, iface string) (InterfaceStats, error) {
	if s, ok := d.DomainService.(DomainDeviceStats); ok {
		return s.InterfaceStats(ctx, name, iface)
	}
	return InterfaceStats{}, Unsupported("virDomainInterfaceStats")
}

func (d roDomains) BlockInfo(ctx context.Context, name, disk string) (BlockInfo, error) {
	if s, ok := d.DomainService.(DomainDeviceStats); ok {
		return s.BlockInfo(ctx, name, disk)
	}
	return BlockInfo{}, Unsupported("virDomainGetBlockInfo")
}

// Conversions change nothing: they pass through.

func (c readOnlyConn) DomainXMLToNative(ctx context.Context, format, domainXML string) (string, error) {
	if n, ok := c.Conn.(NativeConfig); ok {
		return n.DomainXMLToNative(ctx, format, domainXML)
	}
	return "", Unsupported("virConnectDomainXMLToNative")
}

func (c readOnlyConn) DomainXMLFromNative(ctx context.Context, format, config string) (string, error) {
	if n, ok := c.Conn.(NativeConfig); ok {
		return n.DomainXMLFromNative(ctx, format, config)
	}
	return "", Unsupported("virConnectDomainXMLFromNative")
}

// Read-only wrappers of the optional network capabilities
// (network_ext.go): reads pass through when the driver has them.

func (n roNetworks) DHCPLeases(ctx context.Context, network, mac string) ([]NetworkLease, error) {
	if l, ok := n.NetworkService.(NetworkLeases); ok {
		return l.DHCPLeases(ctx, network, mac)
	}
	return nil, Unsupported("virNetworkGetDHCPLeases")
}

func (n roNetworks) Ports(ctx context.Context, network string) ([]NetworkPort, error) {
	if p, ok := n.NetworkService.(NetworkPorts); ok {
		return p.Ports(ctx, network)
	}
	return nil, Unsupported("virNetworkListAllPorts")
}

func (roNetworks) Update(context.Context, string, NetworkUpdate) error {
	return ReadOnly("virNetworkUpdate")
}

// Interfaces is nil when the driver has no host interfaces.
func (c readOnlyConn) Interfaces() InterfaceService {
	if h, ok := c.Conn.(HostInterfaces); ok && h.Interfaces() != nil {
		return roInterfaces{h.Interfaces()}
	}
	return nil
}

type roInterfaces struct{ InterfaceService }

func (roInterfaces) Start(context.Context, string) error   { return ReadOnly("virInterfaceCreate") }
func (roInterfaces) Destroy(context.Context, string) error { return ReadOnly("virInterfaceDestroy") }
func (roInterfaces) Bridge(context.Context, string, string, BridgeOptions) error {
	return ReadOnly("virInterfaceDefineXML")
}
func (roInterfaces) Unbridge(context.Context, string, bool) (string, error) {
	return "", ReadOnly("virInterfaceUndefine")
}

// Changing a device (update-device, change-media; media_ext.go).

func (roDomains) UpdateDevice(context.Context, string, string, Scope, bool) error {
	return ReadOnly("virDomainUpdateDeviceFlags")
}
