package xen

import (
	"context"

	"github.com/virtsh/virtsh/backend"
)

// Networks, storage pools and snapshots are not part of the Xen driver:
// vifs join bridges named in the domain XML. (virtsh's network driver is
// a separate driver; an <interface type='network'> needs it.)

func unsupported(api string) error {
	return backend.Unsupported("%s (the Xen driver manages domains only; vifs join the bridge named in <source bridge='...'/>)", api)
}

type noNetworks struct{}

func (noNetworks) List(context.Context) ([]backend.NetworkInfo, error) {
	return nil, unsupported("virConnectListAllNetworks")
}
func (noNetworks) LookupByName(context.Context, string) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, unsupported("virNetworkLookupByName")
}
func (noNetworks) LookupByUUID(context.Context, string) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, unsupported("virNetworkLookupByUUID")
}
func (noNetworks) Define(context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, unsupported("virNetworkDefineXML")
}
func (noNetworks) Create(context.Context, string, backend.DefineOptions) (backend.NetworkInfo, error) {
	return backend.NetworkInfo{}, unsupported("virNetworkCreateXML")
}
func (noNetworks) Undefine(context.Context, string) error { return unsupported("virNetworkUndefine") }
func (noNetworks) Start(context.Context, string) error    { return unsupported("virNetworkCreate") }
func (noNetworks) Destroy(context.Context, string) error  { return unsupported("virNetworkDestroy") }
func (noNetworks) SetAutostart(context.Context, string, bool) error {
	return unsupported("virNetworkSetAutostart")
}
func (noNetworks) XML(context.Context, string, backend.XMLOptions) (string, error) {
	return "", unsupported("virNetworkGetXMLDesc")
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
