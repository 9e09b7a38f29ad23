// Package backend is virtsh's driver API, modelled on libvirt's public API:
// a connection opened from a URI, and objects looked up by name, id or UUID.
// Configuration travels as libvirt XML. This package imports no other
// project package; drivers import it and register themselves by URI scheme.
package backend

import (
	"context"
	"time"
)

// Conn is an open connection to one hypervisor driver.
type Conn interface {
	URI() string
	Domains() DomainService
	Snapshots() SnapshotService
	Networks() NetworkService
	Pools() PoolService
	Host() HostService
	Close() error
}

// DomainState is libvirt's virDomainState.
type DomainState int

const (
	DomainNoState DomainState = iota
	DomainRunning
	DomainBlocked
	DomainPaused
	DomainShutdown
	DomainShutoff
	DomainCrashed
	DomainPMSuspended
)

var domainStateNames = [...]string{"no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended"}

// String returns virsh's word for the state.
func (s DomainState) String() string {
	if int(s) < len(domainStateNames) && s >= 0 {
		return domainStateNames[s]
	}
	return "no state"
}

// Active reports whether a domain in this state has a running instance.
func (s DomainState) Active() bool {
	return s != DomainShutoff && s != DomainNoState
}

// domainReasons are virsh's words for the state reasons (virsh-domain-monitor.c),
// indexed by state, then by libvirt's reason number.
var domainReasons = map[DomainState][]string{
	DomainNoState:     {"unknown"},
	DomainRunning:     {"unknown", "booted", "migrated", "restored", "from snapshot", "unpaused", "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed"},
	DomainBlocked:     {"unknown"},
	DomainPaused:      {"unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog", "from snapshot", "shutting down", "creating snapshot", "starting up", "post-copy", "post-copy failed", "api error"},
	DomainShutdown:    {"unknown", "user"},
	DomainShutoff:     {"unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot", "daemon"},
	DomainCrashed:     {"unknown", "panicked"},
	DomainPMSuspended: {"unknown"},
}

// Reason numbers used by drivers (libvirt's virDomain*Reason values).
const (
	ReasonUnknown = 0

	RunningBooted       = 1
	RunningRestored     = 3
	RunningFromSnapshot = 4
	RunningUnpaused     = 5
	RunningCrashed      = 9

	PausedUser         = 1
	PausedFromSnapshot = 7
	PausedStartingUp   = 10

	ShutdownUser = 1

	ShutoffShutdown     = 1
	ShutoffDestroyed    = 2
	ShutoffCrashed      = 3
	ShutoffSaved        = 5
	ShutoffFailed       = 6
	ShutoffFromSnapshot = 7
	ShutoffDaemon       = 8

	CrashedPanicked = 1
)

// ReasonString returns virsh's word for a state reason.
func ReasonString(s DomainState, reason int) string {
	names := domainReasons[s]
	if reason >= 0 && reason < len(names) {
		return names[reason]
	}
	return "unknown"
}

// DomainInfo is everything list and dominfo show about one domain. Drivers
// fill it in one call so that listing thousands of domains needs no
// per-domain round trips.
type DomainInfo struct {
	Name        string
	UUID        string
	ID          int // -1 when the domain is not running
	OSType      string
	State       DomainState
	Reason      int
	VCPUs       int
	CPUTime     time.Duration
	MaxMemKiB   uint64
	MemKiB      uint64
	Persistent  bool
	Autostart   bool
	ManagedSave bool
	Snapshots   int
	Title       string
	Security    []SecurityLabel
}

// SecurityLabel is the label of one security driver on a domain.
type SecurityLabel struct {
	Model     string
	DOI       string
	Label     string
	Enforcing bool
}

// Scope says which definition a change applies to: the running instance
// (live), the persistent definition (config), or both. Current means live
// when the domain runs, config otherwise, as in libvirt.
type Scope struct {
	Live   bool
	Config bool
}

// Resolve says where a change in scope s applies to a domain that is
// running or not, persistent or not, as libvirt's
// virDomainObjUpdateModificationImpact does: neither flag (--current)
// means the running domain when it runs, else its definition.
func (s Scope) Resolve(running, persistent bool) (live, config bool, err error) {
	live, config = s.Live, s.Config
	if !live && !config {
		live, config = running, !running
	}
	if live && !running {
		return false, false, InvalidState("domain is not running")
	}
	if config && !persistent {
		return false, false, InvalidState("cannot change persistent config of a transient domain")
	}
	return live, config, nil
}

// DomainService manages domains. Domains are addressed by name; commands
// resolve ids and UUIDs through the Lookup methods first.
type DomainService interface {
	List(ctx context.Context) ([]DomainInfo, error)
	LookupByName(ctx context.Context, name string) (DomainInfo, error)
	LookupByID(ctx context.Context, id int) (DomainInfo, error)
	LookupByUUID(ctx context.Context, uuid string) (DomainInfo, error)

	// Define stores a persistent definition (new, or replacing one).
	Define(ctx context.Context, xml string, opts DefineOptions) (DomainInfo, error)
	Undefine(ctx context.Context, name string, opts UndefineOptions) error
	// Create starts a transient domain from XML.
	Create(ctx context.Context, xml string, opts StartOptions) (DomainInfo, error)
	Start(ctx context.Context, name string, opts StartOptions) error
	Shutdown(ctx context.Context, name string, opts ShutdownOptions) error
	Reboot(ctx context.Context, name string, opts ShutdownOptions) error
	Destroy(ctx context.Context, name string, opts DestroyOptions) error
	Reset(ctx context.Context, name string) error
	Suspend(ctx context.Context, name string) error
	Resume(ctx context.Context, name string) error

	// XML returns the domain's XML: the live one when it runs, the
	// persistent one with opts.Inactive.
	XML(ctx context.Context, name string, opts XMLOptions) (string, error)
	SetAutostart(ctx context.Context, name string, on bool) error
	SetMemory(ctx context.Context, name string, kib uint64, scope Scope) error
	SetMaxMemory(ctx context.Context, name string, kib uint64, scope Scope) error
	SetVCPUs(ctx context.Context, name string, count int, opts VCPUOptions) error
	MemoryStats(ctx context.Context, name string) ([]MemoryStat, error)
	// Stats returns domstats records for the named domains (all when nil).
	Stats(ctx context.Context, names []string, groups StatsGroups) ([]DomainStats, error)
	Metadata(ctx context.Context, name string, kind MetadataKind, scope Scope) (string, error)
	SetMetadata(ctx context.Context, name string, kind MetadataKind, value string, scope Scope) error
	Rename(ctx context.Context, name, newName string) error
}

type DefineOptions struct {
	Validate bool // validate against the schema before defining
}

type UndefineOptions struct {
	ManagedSave       bool
	SnapshotsMetadata bool
	NVRAM             bool
	KeepNVRAM         bool
}

type StartOptions struct {
	Paused      bool
	Autodestroy bool
	BypassCache bool
	ForceBoot   bool
	Validate    bool // Create only
}

// ShutdownMode is a comma-separated list in virsh (acpi,agent,initctl,signal,paravirt).
type ShutdownOptions struct {
	Modes []string
}

type DestroyOptions struct {
	Graceful bool
}

type XMLOptions struct {
	Inactive bool
	Secure   bool
}

type VCPUOptions struct {
	Scope   Scope
	Maximum bool
	Guest   bool
}

// MemoryStat is one dommemstat line: libvirt's tag name and value (KiB for
// sizes, as libvirt reports them).
type MemoryStat struct {
	Tag   string
	Value uint64
}

// StatsGroups selects domstats groups; all false means every group.
type StatsGroups struct {
	State, CPUTotal, Balloon, VCPU, Interface, Block, Perf, IOThread, Memory, DirtyRate bool
}

// None reports whether no group is selected.
func (g StatsGroups) None() bool { return g == StatsGroups{} }

// DomainStats is one domain's domstats record: libvirt's typed parameters
// in the order the driver reports them.
type DomainStats struct {
	Name   string
	Params []TypedParam
}

// TypedParam is one libvirt typed parameter. Value is one of int64, uint64,
// float64, bool or string.
type TypedParam struct {
	Field string
	Value any
}

type MetadataKind int

const (
	MetadataDescription MetadataKind = iota
	MetadataTitle
)

// SnapshotInfo describes one domain snapshot.
type SnapshotInfo struct {
	Name         string
	Domain       string
	Parent       string
	CreationTime time.Time
	State        string // the domain state recorded in the snapshot, in virsh's words
	Current      bool
	Children     int
	Descendants  int
	Location     string // internal, external
	Metadata     bool
}

type SnapshotService interface {
	// Create makes a snapshot from snapshot XML and returns its name.
	Create(ctx context.Context, domain, xml string, opts SnapshotCreateOptions) (string, error)
	List(ctx context.Context, domain string) ([]SnapshotInfo, error)
	Lookup(ctx context.Context, domain, name string) (SnapshotInfo, error)
	// Current returns the current snapshot; a not-found error when there is none.
	Current(ctx context.Context, domain string) (SnapshotInfo, error)
	XML(ctx context.Context, domain, name string, opts XMLOptions) (string, error)
	Revert(ctx context.Context, domain, name string, opts SnapshotRevertOptions) error
	Delete(ctx context.Context, domain, name string, opts SnapshotDeleteOptions) error
}

type SnapshotCreateOptions struct {
	Redefine, Current, NoMetadata, Halt, DiskOnly, ReuseExt, Quiesce, Atomic, Live, Validate bool
}

type SnapshotRevertOptions struct {
	Running, Paused, Force, ResetNVRAM bool
}

type SnapshotDeleteOptions struct {
	Children, ChildrenOnly, MetadataOnly bool
}

// NetworkInfo describes one virtual network.
type NetworkInfo struct {
	Name       string
	UUID       string
	Active     bool
	Persistent bool
	Autostart  bool
	Bridge     string
}

type NetworkService interface {
	List(ctx context.Context) ([]NetworkInfo, error)
	LookupByName(ctx context.Context, name string) (NetworkInfo, error)
	LookupByUUID(ctx context.Context, uuid string) (NetworkInfo, error)
	Define(ctx context.Context, xml string, opts DefineOptions) (NetworkInfo, error)
	Create(ctx context.Context, xml string, opts DefineOptions) (NetworkInfo, error)
	Undefine(ctx context.Context, name string) error
	Start(ctx context.Context, name string) error
	Destroy(ctx context.Context, name string) error
	SetAutostart(ctx context.Context, name string, on bool) error
	XML(ctx context.Context, name string, opts XMLOptions) (string, error)
}

// PoolState is libvirt's virStoragePoolState.
type PoolState int

const (
	PoolInactive PoolState = iota
	PoolBuilding
	PoolRunning
	PoolDegraded
	PoolInaccessible
)

var poolStateNames = [...]string{"inactive", "building", "running", "degraded", "inaccessible"}

func (s PoolState) String() string {
	if s >= 0 && int(s) < len(poolStateNames) {
		return poolStateNames[s]
	}
	return "unknown"
}

// PoolInfo describes one storage pool; sizes in bytes.
type PoolInfo struct {
	Name       string
	UUID       string
	Type       string // dir, fs, logical, ... (libvirt's pool types)
	State      PoolState
	Persistent bool
	Autostart  bool
	Capacity   uint64
	Allocation uint64
	Available  uint64
}

// VolumeInfo describes one storage volume; sizes in bytes.
type VolumeInfo struct {
	Name       string
	Pool       string
	Key        string
	Path       string
	Type       string // file, block, dir, network, netdir, ploop
	Capacity   uint64
	Allocation uint64
}

type PoolService interface {
	List(ctx context.Context) ([]PoolInfo, error)
	LookupByName(ctx context.Context, name string) (PoolInfo, error)
	LookupByUUID(ctx context.Context, uuid string) (PoolInfo, error)
	XML(ctx context.Context, name string, opts XMLOptions) (string, error)
	Volumes(ctx context.Context, pool string) ([]VolumeInfo, error)
	// LookupVolume finds a volume of pool by name; with pool empty, key is a
	// volume path or key searched in every pool.
	LookupVolume(ctx context.Context, pool, key string) (VolumeInfo, error)
	VolumeXML(ctx context.Context, pool, name string) (string, error)
}

// NodeInfo is virNodeInfo; memory in KiB.
type NodeInfo struct {
	Model     string
	CPUs      int
	MHz       int
	Nodes     int
	Sockets   int
	Cores     int
	Threads   int
	MemoryKiB uint64
}

// Version holds versions as libvirt encodes them: major*1000000+minor*1000+micro.
type Version struct {
	Hypervisor    string // "QEMU", "TEST", ...
	HypervisorVer uint64
	Library       uint64 // the virtsh API version reported as "libvirt"
}

type HostService interface {
	Hostname(ctx context.Context) (string, error)
	NodeInfo(ctx context.Context) (NodeInfo, error)
	Capabilities(ctx context.Context) (string, error)
	Version(ctx context.Context) (Version, error)
	// SecurityModel returns the host's security model and DOI; empty when none.
	SecurityModel(ctx context.Context) (model, doi string, err error)
}
