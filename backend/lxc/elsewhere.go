package lxc

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// The network, storage and snapshot services of an LXC connection:
// virtual networks belong to network:///system, and containers have
// neither storage pools nor snapshots here.

type networksElsewhere struct{}

func errNetworks() error {
	return backend.Unsupported("virtual networks are managed through network:///system, not lxc:///system (virtsh -c network:///system net-list)")
}

func (networksElsewhere) List(context.Context) ([]backend.NetworkInfo, error) {
	return nil, errNetworks()
}
func (networksElsewhere) LookupByName(context.Context, string) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (networksElsewhere) LookupByUUID(context.Context, string) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (networksElsewhere) Define(context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (networksElsewhere) Create(context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, errNetworks()
}
func (networksElsewhere) Undefine(context.Context, string) error           { return errNetworks() }
func (networksElsewhere) Start(context.Context, string) error              { return errNetworks() }
func (networksElsewhere) Destroy(context.Context, string) error            { return errNetworks() }
func (networksElsewhere) SetAutostart(context.Context, string, bool) error { return errNetworks() }
func (networksElsewhere) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", errNetworks()
}

type noPools struct{}

func errPools() error {
	return backend.Unsupported("storage pools are not managed by lxc:///system")
}

func (noPools) List(context.Context) ([]backend.PoolInfo, error) { return nil, errPools() }
func (noPools) LookupByName(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, errPools()
}
func (noPools) LookupByUUID(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, errPools()
}
func (noPools) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", errPools()
}
func (noPools) Volumes(context.Context, string) ([]backend.VolumeInfo, error) {
	return nil, errPools()
}
func (noPools) LookupVolume(context.Context, string, string) (backend.VolumeInfo, error) {
	return backend.VolumeInfo{}, errPools()
}
func (noPools) VolumeXML(context.Context, string, string) (string, error) { return "", errPools() }

type noSnapshots struct{}

func errSnapshots() error {
	return backend.Unsupported("container snapshots are not supported by lxc:///system")
}

func (noSnapshots) Create(context.Context, string, string, backend.SnapshotCreateOptions) (string, error) {
	return "", errSnapshots()
}
func (noSnapshots) List(context.Context, string) ([]backend.SnapshotInfo, error) {
	return nil, errSnapshots()
}
func (noSnapshots) Lookup(context.Context, string, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, errSnapshots()
}
func (noSnapshots) Current(context.Context, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, errSnapshots()
}
func (noSnapshots) XML(context.Context, string, string, backend.XMLOptions) (string, error) {
	return "", errSnapshots()
}
func (noSnapshots) Revert(context.Context, string, string, backend.SnapshotRevertOptions) error {
	return errSnapshots()
}
func (noSnapshots) Delete(context.Context, string, string, backend.SnapshotDeleteOptions) error {
	return errSnapshots()
}
