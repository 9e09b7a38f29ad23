package testdrv

import (
	"context"
	"strconv"
	"time"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// snapshotObj is one domain snapshot.
type snapshotObj struct {
	name        string
	description string
	state       string // libvirt's snapshot state word: running, paused, shutoff...
	parent      string
	created     int64
	memory      string
	disks       [][2]string // name, snapshot mode
	dom         *libvirtxml.Domain
	domUUID     string // the domain's UUID, for snapshots without a definition
}

// snapshotStates are libvirt's virDomainSnapshotState words, by domain state.
var snapshotStates = [...]string{"nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"}

func activeSnapshotState(state string) bool { return state == "running" || state == "paused" }

// parseSnapshot reads what the driver keeps of snapshot XML.
func parseSnapshot(root *node) (*snapshotObj, error) {
	s := &snapshotObj{}
	s.name, _ = root.childText("name")
	s.description, _ = root.childText("description")
	s.state, _ = root.childText("state")
	if p := root.child("", "parent"); p != nil {
		s.parent, _ = p.childText("name")
	}
	if t, ok := root.childText("creationTime"); ok {
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, backend.XMLError("invalid creationTime")
		}
		s.created = v
	}
	if m := root.child("", "memory"); m != nil {
		s.memory = m.attr("snapshot")
	}
	if disks := root.child("", "disks"); disks != nil {
		for _, d := range disks.Children {
			s.disks = append(s.disks, [2]string{d.attr("name"), d.attr("snapshot")})
		}
	}
	if d := root.child("", "domain"); d != nil {
		dom, err := parseDomain(d.rawXML())
		if err != nil {
			return nil, err
		}
		s.dom = dom
	}
	return s, nil
}

// loadSnapshots is testParseDomainSnapshots: test:domainsnapshot elements
// are redefined snapshots; <active>1</active> marks the current one.
func (o *domainObj) loadSnapshots(nodes []*node, file string) error {
	for _, n := range nodes {
		n, err := resolveFile(n, file)
		if err != nil {
			return err
		}
		s, err := parseSnapshot(n)
		if err != nil {
			return err
		}
		if s.name == "" {
			return backend.XMLError("a redefined snapshot must have a name")
		}
		s.domUUID = o.def().UUID
		if s.memory == "" {
			s.memory = memoryMode(s.state)
		}
		if err := o.addSnapshot(s); err != nil {
			return err
		}
		if active, _ := n.childText("active"); active == "1" {
			if o.current != nil {
				return backend.Internal("more than one snapshot claims to be active")
			}
			o.current = s
		}
	}
	return nil
}

func memoryMode(state string) string {
	if state == "shutoff" {
		return "no"
	}
	return "internal"
}

func (o *domainObj) snapshot(name string) (*snapshotObj, error) {
	if s := find(o.snapshots, func(s *snapshotObj) bool { return s.name == name }); s != nil {
		return s, nil
	}
	return nil, backend.NoSnapshot("no domain snapshot with matching name '%s'", name)
}

func (o *domainObj) addSnapshot(s *snapshotObj) error {
	if _, err := o.snapshot(s.name); err == nil {
		return backend.OperationFailed("domain moment %s already exists", s.name)
	}
	o.snapshots = append(o.snapshots, s)
	return nil
}

func (o *domainObj) children(name string) []*snapshotObj {
	var out []*snapshotObj
	for _, s := range o.snapshots {
		if s.parent == name {
			out = append(out, s)
		}
	}
	return out
}

func (o *domainObj) descendants(name string) []*snapshotObj {
	var out []*snapshotObj
	for _, c := range o.children(name) {
		out = append(out, c)
		out = append(out, o.descendants(c.name)...)
	}
	return out
}

func (o *domainObj) snapshotInfo(s *snapshotObj) backend.SnapshotInfo {
	location := "internal"
	if s.memory == "external" {
		location = "external"
	}
	return backend.SnapshotInfo{
		Name:         s.name,
		Domain:       o.name(),
		Parent:       s.parent,
		CreationTime: time.Unix(s.created, 0),
		State:        s.state,
		Current:      s == o.current,
		Children:     len(o.children(s.name)),
		Descendants:  len(o.descendants(s.name)),
		Location:     location,
		Metadata:     true,
	}
}

// format prints the snapshot as virDomainSnapshotDefFormat.
func (s *snapshotObj) format() (string, error) {
	root := elem("domainsnapshot").add(elem("name").text(s.name))
	if s.description != "" {
		root.add(elem("description").text(s.description))
	}
	root.add(elem("state").text(s.state))
	if s.parent != "" {
		root.add(elem("parent").add(elem("name").text(s.parent)))
	}
	root.add(elem("creationTime").text(strconv.FormatInt(s.created, 10)), elem("memory", "snapshot", s.memory))
	if len(s.disks) > 0 {
		disks := elem("disks")
		for _, d := range s.disks {
			disks.add(elem("disk", "name", d[0], "snapshot", d[1]))
		}
		root.add(disks)
	}
	dom := elem("domain").add(elem("uuid").text(s.domUUID))
	if s.dom != nil {
		var err error
		if dom, err = marshalTree(s.dom); err != nil {
			return "", backend.Internal("cannot format snapshot '%s': %v", s.name, err)
		}
	}
	return root.add(dom).format(), nil
}

type snapshotService struct{ c *conn }

func (s snapshotService) with(domain string, fn func(*domainObj) error) error {
	return domainService(s).with(domain, fn)
}

// withSnap runs fn on a snapshot of a domain.
func (s snapshotService) withSnap(domain, name string, fn func(*domainObj, *snapshotObj) error) error {
	return s.with(domain, func(o *domainObj) error {
		snap, err := o.snapshot(name)
		if err != nil {
			return err
		}
		return fn(o, snap)
	})
}

func (s snapshotService) Create(_ context.Context, domain, xml string, opts backend.SnapshotCreateOptions) (string, error) {
	if flags := bit(opts.NoMetadata, 4) | bit(opts.DiskOnly, 16) | bit(opts.ReuseExt, 32); flags != 0 {
		return "", unsupportedFlags(flags, "testDomainSnapshotCreateXML")
	}
	root, err := parseTree([]byte(xml))
	if err != nil {
		return "", backend.XMLError("%v", err)
	}
	if root.Name.Local != "domainsnapshot" {
		return "", backend.XMLError("expecting root element of 'domainsnapshot', not '%s'", root.Name.Local)
	}
	snap, err := parseSnapshot(root)
	if err != nil {
		return "", err
	}
	err = s.with(domain, func(o *domainObj) error {
		if !o.persistent && opts.Halt {
			return backend.InvalidState("cannot halt after transient domain snapshot")
		}
		if opts.Redefine {
			return s.redefine(o, snap, opts.Current)
		}
		return s.take(o, snap, opts.Halt)
	})
	return snap.name, err
}

// redefine adds snapshot metadata as given.
func (s snapshotService) redefine(o *domainObj, snap *snapshotObj, current bool) error {
	if snap.name == "" {
		return backend.XMLError("a redefined snapshot must have a name")
	}
	snap.domUUID = o.def().UUID
	if err := o.addSnapshot(snap); err != nil {
		return err
	}
	if current {
		o.current = snap
	}
	return nil
}

// take records the domain's current state as a new current snapshot.
func (s snapshotService) take(o *domainObj, snap *snapshotObj, halt bool) error {
	now := time.Now().Unix()
	if snap.name == "" {
		snap.name = strconv.FormatInt(now, 10)
	}
	snap.created = now
	snap.state = snapshotStates[o.state]
	snap.memory = memoryMode(snap.state)
	snap.dom = cloneDomain(o.def())
	snap.domUUID = snap.dom.UUID
	snap.disks = nil
	for _, d := range snap.dom.Devices.Disks {
		mode := "internal"
		if d.Device != "" && d.Device != "disk" {
			mode = "no"
		}
		snap.disks = append(snap.disks, [2]string{d.Target.Dev, mode})
	}
	if o.current != nil {
		snap.parent = o.current.name
	}
	if err := o.addSnapshot(snap); err != nil {
		return err
	}
	o.current = snap
	if halt && o.active() {
		s.c.shutdownState(o, backend.ShutoffFromSnapshot)
	}
	return nil
}

func (s snapshotService) List(_ context.Context, domain string) ([]backend.SnapshotInfo, error) {
	var out []backend.SnapshotInfo
	err := s.with(domain, func(o *domainObj) error {
		for _, snap := range o.snapshots {
			out = append(out, o.snapshotInfo(snap))
		}
		return nil
	})
	return out, err
}

func (s snapshotService) Lookup(_ context.Context, domain, name string) (backend.SnapshotInfo, error) {
	var out backend.SnapshotInfo
	err := s.withSnap(domain, name, func(o *domainObj, snap *snapshotObj) error {
		out = o.snapshotInfo(snap)
		return nil
	})
	return out, err
}

func (s snapshotService) Current(_ context.Context, domain string) (backend.SnapshotInfo, error) {
	var out backend.SnapshotInfo
	err := s.with(domain, func(o *domainObj) error {
		if o.current == nil {
			return backend.NoSnapshot("the domain does not have a current snapshot")
		}
		out = o.snapshotInfo(o.current)
		return nil
	})
	return out, err
}

func (s snapshotService) XML(_ context.Context, domain, name string, _ backend.XMLOptions) (string, error) {
	var out string
	err := s.withSnap(domain, name, func(_ *domainObj, snap *snapshotObj) error {
		var err error
		out, err = snap.format()
		return err
	})
	return out, err
}

// revertRisky is libvirt's VIR_ERR_SNAPSHOT_REVERT_RISKY.
func revertRisky(format string, args ...any) error {
	return backend.Plain(backend.CodeInvalidState, "revert requires force: "+format, args...)
}

// Revert behaves as libvirt 9.0.0's test driver: reverting to a running or
// paused snapshot boots the domain again from the snapshot's definition
// (with a new id); reverting to an inactive one shuts the domain off.
func (s snapshotService) Revert(_ context.Context, domain, name string, opts backend.SnapshotRevertOptions) error {
	if opts.ResetNVRAM {
		return unsupportedFlags(8, "testDomainRevertToSnapshot")
	}
	return s.withSnap(domain, name, func(o *domainObj, snap *snapshotObj) error {
		wantRun := opts.Running || opts.Paused
		if !o.persistent && !activeSnapshotState(snap.state) && !wantRun {
			return backend.InvalidState("transient domain needs to request run or pause to revert to inactive snapshot")
		}
		if !opts.Force && snap.dom == nil {
			return revertRisky("snapshot '%s' lacks domain '%s' rollback info", snap.name, o.name())
		}
		if !opts.Force && o.active() && !activeSnapshotState(snap.state) && wantRun {
			return revertRisky("must respawn guest to start inactive snapshot")
		}
		s.restore(o, snap, opts)
		o.current = snap
		return nil
	})
}

func (s snapshotService) restore(o *domainObj, snap *snapshotObj, opts backend.SnapshotRevertOptions) {
	def := cloneDomain(snap.dom)
	if !activeSnapshotState(snap.state) {
		if o.persistent {
			o.config = def
		}
		if o.active() {
			s.c.shutdownState(o, backend.ShutoffFromSnapshot)
		}
		return
	}
	o.live, o.id = nil, -1
	if o.persistent {
		o.config = def
	} else {
		o.live = def
	}
	s.c.startState(o, backend.RunningFromSnapshot)
	if !opts.Running && (snap.state == "paused" || opts.Paused) {
		o.setState(backend.DomainPaused, backend.PausedFromSnapshot)
	}
}

func (s snapshotService) Delete(_ context.Context, domain, name string, opts backend.SnapshotDeleteOptions) error {
	if opts.MetadataOnly {
		return unsupportedFlags(2, "testDomainSnapshotDelete")
	}
	return s.withSnap(domain, name, func(o *domainObj, snap *snapshotObj) error {
		if opts.Children || opts.ChildrenOnly {
			for _, d := range o.descendants(snap.name) {
				if d == o.current {
					o.current = snap
				}
				o.snapshots = remove(o.snapshots, d)
			}
		} else {
			for _, c := range o.children(snap.name) {
				c.parent = snap.parent
			}
		}
		if opts.ChildrenOnly {
			return nil
		}
		if snap == o.current {
			o.current, _ = o.snapshot(snap.parent)
		}
		o.snapshots = remove(o.snapshots, snap)
		return nil
	})
}
