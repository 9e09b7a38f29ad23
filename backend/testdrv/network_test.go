package testdrv

import (
	"testing"

	"github.com/virtsh/virtsh/backend"
)

func TestNetworkTransitions(t *testing.T) {
	nets := open(t, "test:///default").Networks()
	err := nets.Undefine(ctx, "default")
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: Network 'default' is still running")
	err = nets.Start(ctx, "default")
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: Network 'default' is already running")
	must(t, nets.Destroy(ctx, "default"))
	must(t, nets.Destroy(ctx, "default")) // libvirt's test driver does not check
	must(t, nets.SetAutostart(ctx, "default", true))
	info, err := nets.LookupByName(ctx, "default")
	must(t, err)
	want := backend.NetworkInfo{Name: "default", UUID: "dd8fe884-6c02-601e-7551-cca97df1c5df", Persistent: true, Autostart: true, Bridge: "virbr0"}
	if info != want {
		t.Errorf("net-info\n got %+v\nwant %+v", info, want)
	}
	must(t, nets.Undefine(ctx, "default"))
	_, err = nets.LookupByName(ctx, "default")
	wantErr(t, err, backend.ErrNotFound, "Network not found: no network with matching name 'default'")

	created, err := nets.Create(ctx, golden(t, "network.xml"), backend.DefineOptions{})
	must(t, err)
	if !created.Active || created.Persistent {
		t.Errorf("net-create: %+v", created)
	}
	must(t, nets.Destroy(ctx, "n1"))
	_, err = nets.LookupByUUID(ctx, created.UUID)
	wantErr(t, err, backend.ErrNotFound, "Network not found: no network with matching uuid '0abd8ca7-3e61-46ea-9838-ea16013a5ed7'")
}
