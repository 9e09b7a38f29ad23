package xen

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// Storage pools and snapshots are not part of the Xen driver yet.

func unsupported(api string) error {
	return backend.Unsupported("%s (not implemented by the Xen driver)", api)
}

type noPools struct{}

func (noPools) List(context.Context) ([]backend.PoolInfo, error) {
	return nil, unsupported("virConnectListAllStoragePools")
}
func (noPools) LookupByName(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, unsupported("virStoragePoolLookupByName")
}
func (noPools) LookupByUUID(context.Context, string) (backend.PoolInfo, error) {
	return backend.PoolInfo{}, unsupported("virStoragePoolLookupByUUID")
}
func (noPools) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", unsupported("virStoragePoolGetXMLDesc")
}
func (noPools) Volumes(context.Context, string) ([]backend.VolumeInfo, error) {
	return nil, unsupported("virStoragePoolListAllVolumes")
}
func (noPools) LookupVolume(context.Context, string, string) (backend.VolumeInfo, error) {
	return backend.VolumeInfo{}, unsupported("virStorageVolLookupByPath")
}
func (noPools) VolumeXML(context.Context, string, string) (string, error) {
	return "", unsupported("virStorageVolGetXMLDesc")
}

type noSnapshots struct{}

func (noSnapshots) Create(context.Context, string, string, backend.SnapshotCreateOptions) (string, error) {
	return "", unsupported("virDomainSnapshotCreateXML")
}
func (noSnapshots) List(context.Context, string) ([]backend.SnapshotInfo, error) {
	return nil, unsupported("virDomainListAllSnapshots")
}
func (noSnapshots) Lookup(context.Context, string, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, unsupported("virDomainSnapshotLookupByName")
}
func (noSnapshots) Current(context.Context, string) (backend.SnapshotInfo, error) {
	return backend.SnapshotInfo{}, unsupported("virDomainSnapshotCurrent")
}
func (noSnapshots) XML(context.Context, string, string, backend.XMLOptions) (string, error) {
	return "", unsupported("virDomainSnapshotGetXMLDesc")
}
func (noSnapshots) Revert(context.Context, string, string, backend.SnapshotRevertOptions) error {
	return unsupported("virDomainRevertToSnapshot")
}
func (noSnapshots) Delete(context.Context, string, string, backend.SnapshotDeleteOptions) error {
	return unsupported("virDomainSnapshotDelete")
}
