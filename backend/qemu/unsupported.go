package qemu

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// The services this driver does not offer yet: every call says so.

// sessionNetworks: qemu:///session runs without root, so it has no
// virtual networks (libvirt's session daemon has none either).
type sessionNetworks struct{}

func errNetworks() error {
	return backend.Unsupported("qemu:///session has no virtual networks: bridges and taps need root; use qemu:///system or network:///system")
}

func (sessionNetworks) List(context.Context) ([]backend.NetworkInfo, error) {
	return nil, errNetworks()
}
func (sessionNetworks) LookupByName(context.Context, string) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (sessionNetworks) LookupByUUID(context.Context, string) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (sessionNetworks) Define(context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (sessionNetworks) Create(context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (sessionNetworks) Undefine(context.Context, string) error { return errNetworks() }
func (sessionNetworks) Start(context.Context, string) error    { return errNetworks() }
func (sessionNetworks) Destroy(context.Context, string) error  { return errNetworks() }
func (sessionNetworks) SetAutostart(context.Context, string, bool) error {
	return errNetworks()
}
func (sessionNetworks) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", errNetworks()
}

type unsupportedPools struct{}

func errPools() error {
	return backend.Unsupported("storage pools are not implemented by the QEMU driver yet; give disk image paths in the domain XML")
}

func (unsupportedPools) List(context.Context) ([]backend.PoolInfo, error) { return nil, errPools() }
func (unsupportedPools) LookupByName(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, errPools()
}
func (unsupportedPools) LookupByUUID(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, errPools()
}
func (unsupportedPools) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", errPools()
}
func (unsupportedPools) Volumes(context.Context, string) ([]backend.VolumeInfo, error) {
	return nil, errPools()
}
func (unsupportedPools) LookupVolume(context.Context, string, string) (backend.VolumeInfo, error) {
	return backend.VolumeInfo{}, errPools()
}
func (unsupportedPools) VolumeXML(context.Context, string, string) (string, error) {
	return "", errPools()
}

type unsupportedSnapshots struct{}

func errSnapshots() error {
	return backend.Unsupported("snapshots are not implemented by the QEMU driver yet")
}

func (unsupportedSnapshots) Create(context.Context, string, string, backend.SnapshotCreateOptions) (string, error) {
	return "", errSnapshots()
}
func (unsupportedSnapshots) List(context.Context, string) ([]backend.SnapshotInfo, error) {
	return nil, errSnapshots()
}
func (unsupportedSnapshots) Lookup(context.Context, string, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, errSnapshots()
}
func (unsupportedSnapshots) Current(context.Context, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, errSnapshots()
}
func (unsupportedSnapshots) XML(context.Context, string, string, backend.XMLOptions) (string, error) {
	return "", errSnapshots()
}
func (unsupportedSnapshots) Revert(context.Context, string, string, backend.SnapshotRevertOptions) error {
	return errSnapshots()
}
func (unsupportedSnapshots) Delete(context.Context, string, string, backend.SnapshotDeleteOptions) error {
	return errSnapshots()
}
