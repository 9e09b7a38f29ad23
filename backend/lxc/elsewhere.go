package lxc

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// The storage and snapshot services of an LXC connection: containers
// have neither storage pools nor snapshots here.

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
