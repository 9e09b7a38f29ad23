package testdrv

import (
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// TestNodeFile loads testdata/node.xml (file references, test:runstate,
// test:transient, test:hasmanagedsave, test:domainsnapshot, volumes) and
// compares with what virsh -c test:///.../node.xml shows.
func TestNodeFile(t *testing.T) {
	c := openNode(t)
	ni, err := c.Host().NodeInfo(ctx)
	must(t, err)
	if want := (backend.NodeInfo{Model: "i986", CPUs: 50, MHz: 6000, Nodes: 4, Sockets: 4, Cores: 4, Threads: 2, MemoryKiB: 8192000}); ni != want {
		t.Errorf("nodeinfo\n got %+v\nwant %+v", ni, want)
	}

	doms, err := c.Domains().List(ctx)
	must(t, err)
	want := []struct {
		name       string
		id         int
		state      backend.DomainState
		persistent bool
		managed    bool
	}{
		{"dom1", 1, backend.DomainRunning, true, false},
		{"paused1", 2, backend.DomainPaused, true, false},
		{"off1", -1, backend.DomainShutoff, true, true},
		{"trans1", 3, backend.DomainRunning, false, false},
	}
	if len(doms) != len(want) {
		t.Fatalf("%d domains, want %d", len(doms), len(want))
	}
	for i, w := range want {
		d := doms[i]
		if d.Name != w.name || d.ID != w.id || d.State != w.state || d.Reason != backend.ReasonUnknown ||
			d.Persistent != w.persistent || d.ManagedSave != w.managed {
			t.Errorf("domain %d: %+v, want %+v", i, d, w)
		}
	}
	err = c.Domains().Undefine(ctx, "off1", backend.UndefineOptions{})
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: Refusing to undefine while domain managed save image exists")

	cur, err := c.Snapshots().Current(ctx, "trans1")
	must(t, err)
	if cur.Name != "snap1" || cur.CreationTime.Unix() != 1000000000 {
		t.Errorf("current snapshot %+v", cur)
	}
	vols, err := c.Pools().Volumes(ctx, "pool1")
	must(t, err)
	if len(vols) != 2 || vols[0].Path != "/pool1/v1.img" || vols[0].Capacity != 10<<30 || vols[1].Key != "/pool1/v2.qcow2" {
		t.Errorf("volumes: %+v", vols)
	}
	byPath, err := c.Pools().LookupVolume(ctx, "", "/pool1/v2.qcow2")
	must(t, err)
	if byPath.Name != "v2.qcow2" || byPath.Pool != "pool1" {
		t.Errorf("volume by path: %+v", byPath)
	}
	_, err = c.Pools().LookupVolume(ctx, "pool1", "nosuch")
	wantErr(t, err, backend.ErrNotFound, "Storage volume not found: no storage vol with matching name 'nosuch'")
}

func TestNodeFileXML(t *testing.T) {
	c := openNode(t)
	for _, tt := range []struct {
		golden string
		get    func() (string, error)
	}{
		{"node-trans1.xml", func() (string, error) { return c.Domains().XML(ctx, "trans1", backend.XMLOptions{}) }},
		{"node-pool1.xml", func() (string, error) { return c.Pools().XML(ctx, "pool1", backend.XMLOptions{}) }},
		{"node-v2.xml", func() (string, error) { return c.Pools().VolumeXML(ctx, "pool1", "v2.qcow2") }},
		{"node-snap1.xml", func() (string, error) { return c.Snapshots().XML(ctx, "trans1", "snap1", backend.XMLOptions{}) }},
		{"node-capabilities.xml", func() (string, error) { return c.Host().Capabilities(ctx) }},
	} {
		got, err := tt.get()
		must(t, err)
		sameText(t, tt.golden, got, golden(t, tt.golden))
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct {
		uri  string
		kind error
		msg  string
	}{
		{"test:///", backend.ErrInvalidArgument, "invalid argument: testOpen: supply a path or use test:///default"},
		{"test:///nonexistent/node.xml", backend.ErrOperationFailed, "failed to open file '/nonexistent/node.xml': open /nonexistent/node.xml: no such file or directory"},
	} {
		_, err := backend.Open(ctx, tt.uri, backend.OpenOptions{})
		wantErr(t, err, tt.kind, tt.msg)
	}
}

// TestHost checks the host values virsh shows for test:///default.
func TestHost(t *testing.T) {
	h := open(t, "test:///default").Host()
	ni, err := h.NodeInfo(ctx)
	must(t, err)
	if want := (backend.NodeInfo{Model: "i686", CPUs: 16, MHz: 1400, Nodes: 2, Sockets: 2, Cores: 2, Threads: 2, MemoryKiB: 3145728}); ni != want {
		t.Errorf("nodeinfo %+v", ni)
	}
	v, err := h.Version(ctx)
	must(t, err)
	if v != (backend.Version{Hypervisor: "TEST", HypervisorVer: 2, Library: 9000000}) {
		t.Errorf("version %+v", v)
	}
	model, doi, err := h.SecurityModel(ctx)
	must(t, err)
	if model != "testSecurity" || doi != "" {
		t.Errorf("security model %q doi %q", model, doi)
	}
}
