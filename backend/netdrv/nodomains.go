package netdrv

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// The network connection manages no domains, snapshots or storage pools,
// as libvirt's network driver alone cannot either: every call says so,
// naming the connection.

func unsupported(uri string) error {
	return backend.Unsupported("%s manages networks and host interfaces only; connect to a hypervisor (qemu:///system, lxc:///system) for domains and storage", uri)
}

type noDomains struct{ uri string }

func (n noDomains) List(context.Context) ([]backend.DomainInfo, error) {
	return nil, unsupported(n.uri)
}
func (n noDomains) LookupByName(context.Context, string) (backend.DomainInfo, error) {
	return backend.DomainInfo{}, unsupported(n.uri)
}
func (n noDomains) LookupByID(context.Context, int) (backend.DomainInfo, error) {
	return backend.DomainInfo{}, unsupported(n.uri)
}
func (n noDomains) LookupByUUID(context.Context, string) (backend.DomainInfo, error) {
	return backend.DomainInfo{}, unsupported(n.uri)
}
func (n noDomains) Define(context.Context, string, backend.DefineOptions) (backend.DomainInfo, error) {
	return backend.DomainInfo{}, unsupported(n.uri)
}
func (n noDomains) Undefine(context.Context, string, backend.UndefineOptions) error {
	return unsupported(n.uri)
}
func (n noDomains) Create(context.Context, string, backend.StartOptions) (backend.DomainInfo, error) {
	return backend.DomainInfo{}, unsupported(n.uri)
}
func (n noDomains) Start(context.Context, string, backend.StartOptions) error {
	return unsupported(n.uri)
}
func (n noDomains) Shutdown(context.Context, string, backend.ShutdownOptions) error {
	return unsupported(n.uri)
}
func (n noDomains) Reboot(context.Context, string, backend.ShutdownOptions) error {
	return unsupported(n.uri)
}
func (n noDomains) Destroy(context.Context, string, backend.DestroyOptions) error {
	return unsupported(n.uri)
}
func (n noDomains) Reset(context.Context, string) error   { return unsupported(n.uri) }
func (n noDomains) Suspend(context.Context, string) error { return unsupported(n.uri) }
func (n noDomains) Resume(context.Context, string) error  { return unsupported(n.uri) }
func (n noDomains) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", unsupported(n.uri)
}
func (n noDomains) SetAutostart(context.Context, string, bool) error { return unsupported(n.uri) }
func (n noDomains) SetMemory(context.Context, string, uint64, backend.Scope) error {
	return unsupported(n.uri)
}
func (n noDomains) SetMaxMemory(context.Context, string, uint64, backend.Scope) error {
	return unsupported(n.uri)
}
func (n noDomains) SetVCPUs(context.Context, string, int, backend.VCPUOptions) error {
	return unsupported(n.uri)
}
func (n noDomains) MemoryStats(context.Context, string) ([]backend.MemoryStat, error) {
	return nil, unsupported(n.uri)
}
func (n noDomains) Stats(context.Context, []string, backend.StatsGroups) ([]backend.DomainStats, error) {
	return nil, unsupported(n.uri)
}
func (n noDomains) Metadata(context.Context, string, backend.MetadataKind, backend.Scope) (string, error) {
	return "", unsupported(n.uri)
}
func (n noDomains) SetMetadata(context.Context, string, backend.MetadataKind, string, backend.Scope) error {
	return unsupported(n.uri)
}
func (n noDomains) Rename(context.Context, string, string) error { return unsupported(n.uri) }

type noSnapshots struct{ uri string }

func (n noSnapshots) Create(context.Context, string, string, backend.SnapshotCreateOptions) (string, error) {
	return "", unsupported(n.uri)
}
func (n noSnapshots) List(context.Context, string) ([]backend.SnapshotInfo, error) {
	return nil, unsupported(n.uri)
}
func (n noSnapshots) Lookup(context.Context, string, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, unsupported(n.uri)
}
func (n noSnapshots) Current(context.Context, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, unsupported(n.uri)
}
func (n noSnapshots) XML(context.Context, string, string, backend.XMLOptions) (string, error) {
	return "", unsupported(n.uri)
}
func (n noSnapshots) Revert(context.Context, string, string, backend.SnapshotRevertOptions) error {
	return unsupported(n.uri)
}
func (n noSnapshots) Delete(context.Context, string, string, backend.SnapshotDeleteOptions) error {
	return unsupported(n.uri)
}

type noPools struct{ uri string }

func (n noPools) List(context.Context) ([]backend.PoolInfo, error) { return nil, unsupported(n.uri) }
func (n noPools) LookupByName(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, unsupported(n.uri)
}
func (n noPools) LookupByUUID(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, unsupported(n.uri)
}
func (n noPools) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", unsupported(n.uri)
}
func (n noPools) Volumes(context.Context, string) ([]backend.VolumeInfo, error) {
	return nil, unsupported(n.uri)
}
func (n noPools) LookupVolume(context.Context, string, string) (backend.VolumeInfo, error) {
	return backend.VolumeInfo{}, unsupported(n.uri)
}
func (n noPools) VolumeXML(context.Context, string, string) (string, error) {
	return "", unsupported(n.uri)
}
