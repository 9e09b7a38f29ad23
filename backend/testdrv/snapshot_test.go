package testdrv

import (
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// snapXML is what virsh snapshot-create-as NAME sends.
func snapXML(name string) string {
	return "<domainsnapshot>\n  <name>" + name + "</name>\n</domainsnapshot>\n"
}

func TestSnapshots(t *testing.T) {
	c := open(t, "test:///default")
	snaps := c.Snapshots()
	_, err := snaps.Current(ctx, "test")
	wantErr(t, err, backend.ErrNotFound, "Domain snapshot not found: the domain does not have a current snapshot")
	for _, name := range []string{"s1", "s2"} {
		got, err := snaps.Create(ctx, "test", snapXML(name), backend.SnapshotCreateOptions{})
		must(t, err)
		if got != name {
			t.Errorf("created %q, want %q", got, name)
		}
	}
	_, err = snaps.Create(ctx, "test", snapXML("s1"), backend.SnapshotCreateOptions{})
	wantErr(t, err, backend.ErrOperationFailed, "operation failed: domain moment s1 already exists")
	_, err = snaps.Create(ctx, "test", snapXML("d"), backend.SnapshotCreateOptions{DiskOnly: true})
	wantErr(t, err, backend.ErrUnsupported, "unsupported flags (0x10) in function testDomainSnapshotCreateXML")

	s1, err := snaps.Lookup(ctx, "test", "s1")
	must(t, err)
	if s1.Children != 1 || s1.Descendants != 1 || s1.Current || s1.State != "running" || s1.Location != "internal" {
		t.Errorf("s1: %+v", s1)
	}
	xml, err := snaps.XML(ctx, "test", "s2", backend.XMLOptions{})
	must(t, err)
	if want := "  <state>running</state>\n  <parent>\n    <name>s1</name>\n  </parent>\n"; !strings.Contains(xml, want) {
		t.Errorf("snapshot XML lacks\n%s in\n%s", want, xml)
	}

	// Reverting to a running snapshot boots the domain again.
	must(t, snaps.Revert(ctx, "test", "s1", backend.SnapshotRevertOptions{Paused: true}))
	info, err := c.Domains().LookupByName(ctx, "test")
	must(t, err)
	if info.State != backend.DomainPaused || info.Reason != backend.PausedFromSnapshot || info.ID != 2 {
		t.Errorf("after revert --paused: %s (%s) id %d", info.State, backend.ReasonString(info.State, info.Reason), info.ID)
	}
	cur, err := snaps.Current(ctx, "test")
	must(t, err)
	if cur.Name != "s1" {
		t.Errorf("current snapshot %q, want s1", cur.Name)
	}

	_, err = snaps.Create(ctx, "test", snapXML("s3"), backend.SnapshotCreateOptions{Halt: true})
	must(t, err)
	info, err = c.Domains().LookupByName(ctx, "test")
	must(t, err)
	if info.State != backend.DomainShutoff || info.Reason != backend.ShutoffFromSnapshot {
		t.Errorf("after --halt: %s (%s)", info.State, backend.ReasonString(info.State, info.Reason))
	}
	err = c.Domains().Undefine(ctx, "test", backend.UndefineOptions{})
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: cannot delete inactive domain with 3 snapshots")

	err = snaps.Delete(ctx, "test", "s1", backend.SnapshotDeleteOptions{MetadataOnly: true})
	wantErr(t, err, backend.ErrUnsupported, "unsupported flags (0x2) in function testDomainSnapshotDelete")
	must(t, snaps.Delete(ctx, "test", "s1", backend.SnapshotDeleteOptions{}))
	list, err := snaps.List(ctx, "test")
	must(t, err)
	if len(list) != 2 || list[0].Parent != "" || list[1].Parent != "" {
		t.Errorf("children of a deleted snapshot keep its parent: %+v", list)
	}
	_, err = snaps.Lookup(ctx, "test", "s1")
	wantErr(t, err, backend.ErrNotFound, "Domain snapshot not found: no domain snapshot with matching name 's1'")
}

func TestSnapshotDeleteChildren(t *testing.T) {
	snaps := open(t, "test:///default").Snapshots()
	for _, name := range []string{"a", "b", "c"} {
		_, err := snaps.Create(ctx, "test", snapXML(name), backend.SnapshotCreateOptions{})
		must(t, err)
	}
	must(t, snaps.Delete(ctx, "test", "a", backend.SnapshotDeleteOptions{ChildrenOnly: true}))
	cur, err := snaps.Current(ctx, "test")
	must(t, err)
	list, err := snaps.List(ctx, "test")
	must(t, err)
	if len(list) != 1 || cur.Name != "a" {
		t.Errorf("after --children-only: %d snapshots, current %q", len(list), cur.Name)
	}
	must(t, snaps.Delete(ctx, "test", "a", backend.SnapshotDeleteOptions{Children: true}))
	_, err = snaps.Current(ctx, "test")
	wantErr(t, err, backend.ErrNotFound, "Domain snapshot not found: the domain does not have a current snapshot")
}
