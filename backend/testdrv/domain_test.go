package testdrv

import (
	"strings"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

// op is one step of a transition test on the domain "test".
type op struct {
	name string
	do   func(backend.DomainService) error
}

var (
	start    = op{"start", func(d backend.DomainService) error { return d.Start(ctx, "test", backend.StartOptions{}) }}
	destroy  = op{"destroy", func(d backend.DomainService) error { return d.Destroy(ctx, "test", backend.DestroyOptions{}) }}
	shutdown = op{"shutdown", func(d backend.DomainService) error { return d.Shutdown(ctx, "test", backend.ShutdownOptions{}) }}
	reboot   = op{"reboot", func(d backend.DomainService) error { return d.Reboot(ctx, "test", backend.ShutdownOptions{}) }}
	reset    = op{"reset", func(d backend.DomainService) error { return d.Reset(ctx, "test") }}
	suspend  = op{"suspend", func(d backend.DomainService) error { return d.Suspend(ctx, "test") }}
	resume   = op{"resume", func(d backend.DomainService) error { return d.Resume(ctx, "test") }}
	undefine = op{"undefine", func(d backend.DomainService) error { return d.Undefine(ctx, "test", backend.UndefineOptions{}) }}
)

// TestTransitions runs sequences whose last step is checked: its error
// (kind and wording), then the domain's state, reason and id, all as
// virsh -c test:///default shows them.
func TestTransitions(t *testing.T) {
	const notValid = "Requested operation is not valid: domain is not running"
	tests := []struct {
		name   string
		ops    []op
		kind   error
		msg    string
		state  backend.DomainState
		reason int
		id     int
	}{
		{"initial state", nil, nil, "", backend.DomainRunning, backend.ReasonUnknown, 1},
		{"start active", []op{start}, backend.ErrInvalidState, "internal error: Domain 'test' is already running", backend.DomainRunning, 0, 1},
		{"resume running", []op{resume}, backend.ErrInvalidState, "internal error: domain 'test' not paused", backend.DomainRunning, 0, 1},
		{"suspend", []op{suspend}, nil, "", backend.DomainPaused, backend.PausedUser, 1},
		{"suspend paused", []op{suspend, suspend}, backend.ErrInvalidState, "internal error: domain 'test' not running", backend.DomainPaused, backend.PausedUser, 1},
		{"resume", []op{suspend, resume}, nil, "", backend.DomainRunning, backend.RunningUnpaused, 1},
		{"shutdown", []op{shutdown}, nil, "", backend.DomainShutoff, backend.ShutoffShutdown, -1},
		{"shutdown paused", []op{suspend, shutdown}, nil, "", backend.DomainShutoff, backend.ShutoffShutdown, -1},
		{"shutdown inactive", []op{shutdown, shutdown}, backend.ErrInvalidState, "internal error: domain 'test' not running", backend.DomainShutoff, backend.ShutoffShutdown, -1},
		{"destroy", []op{destroy}, nil, "", backend.DomainShutoff, backend.ShutoffDestroyed, -1},
		{"destroy inactive", []op{destroy, destroy}, backend.ErrInvalidState, notValid, backend.DomainShutoff, backend.ShutoffDestroyed, -1},
		{"reboot inactive", []op{destroy, reboot}, backend.ErrInvalidState, notValid, backend.DomainShutoff, backend.ShutoffDestroyed, -1},
		{"reset inactive", []op{destroy, reset}, backend.ErrInvalidState, notValid, backend.DomainShutoff, backend.ShutoffDestroyed, -1},
		{"suspend inactive", []op{destroy, suspend}, backend.ErrInvalidState, "internal error: domain 'test' not running", backend.DomainShutoff, backend.ShutoffDestroyed, -1},
		{"start gives next id", []op{destroy, start}, nil, "", backend.DomainRunning, backend.RunningBooted, 2},
		{"ids keep counting", []op{destroy, start, destroy, start}, nil, "", backend.DomainRunning, backend.RunningBooted, 3},
		{"reboot paused", []op{suspend, reboot}, nil, "", backend.DomainRunning, backend.RunningBooted, 1},
		{"reset", []op{reset}, nil, "", backend.DomainRunning, backend.ReasonUnknown, 1},
		{"undefine running keeps it", []op{undefine}, nil, "", backend.DomainRunning, backend.ReasonUnknown, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doms := open(t, "test:///default").Domains()
			var err error
			for _, o := range tt.ops {
				err = o.do(doms)
			}
			if tt.kind != nil {
				wantErr(t, err, tt.kind, tt.msg)
			} else if err != nil {
				t.Fatalf("%s: %v", tt.ops[len(tt.ops)-1].name, err)
			}
			info, err := doms.LookupByName(ctx, "test")
			must(t, err)
			if info.State != tt.state || info.Reason != tt.reason || info.ID != tt.id {
				t.Errorf("state %s (%s) id %d, want %s (%s) id %d", info.State, backend.ReasonString(info.State, info.Reason), info.ID,
					tt.state, backend.ReasonString(tt.state, tt.reason), tt.id)
			}
		})
	}
}

func TestTransientDomain(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	must(t, undefine.do(doms))
	info, err := doms.LookupByName(ctx, "test")
	must(t, err)
	if info.Persistent {
		t.Error("undefined running domain is still persistent")
	}
	must(t, destroy.do(doms))
	_, err = doms.LookupByName(ctx, "test")
	wantErr(t, err, backend.ErrNotFound, "Domain not found: no domain with matching name 'test'")

	created, err := doms.Create(ctx, golden(t, "define.xml"), backend.StartOptions{})
	must(t, err)
	if created.ID != 2 || created.Persistent || created.State != backend.DomainRunning || created.Reason != backend.RunningBooted {
		t.Errorf("created domain: %+v", created)
	}
}

func TestLookups(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	byID, err := doms.LookupByID(ctx, 1)
	must(t, err)
	byUUID, err := doms.LookupByUUID(ctx, "6695eb01-f6a4-8304-79aa-97f2502e193f")
	must(t, err)
	if byID.Name != "test" || byUUID.Name != "test" {
		t.Errorf("lookups found %q and %q", byID.Name, byUUID.Name)
	}
	_, err = doms.LookupByID(ctx, 5)
	wantErr(t, err, backend.ErrNotFound, "Domain not found: no domain with matching id 5")
	_, err = doms.LookupByUUID(ctx, "6695eb01-f6a4-8304-79aa-97f2502e1930")
	wantErr(t, err, backend.ErrNotFound, "Domain not found: no domain with matching uuid '6695eb01-f6a4-8304-79aa-97f2502e1930'")
}

// TestDominfo checks the values virsh dominfo test prints.
func TestDominfo(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	info, err := doms.LookupByName(ctx, "test")
	must(t, err)
	want := backend.DomainInfo{
		Name: "test", UUID: "6695eb01-f6a4-8304-79aa-97f2502e193f", ID: 1, OSType: "linux",
		State: backend.DomainRunning, VCPUs: 2, MaxMemKiB: 8388608, MemKiB: 2097152, Persistent: true,
		Security: []backend.SecurityLabel{{Model: "testSecurity", Label: "libvirt-test", Enforcing: true}},
	}
	if info.CPUTime <= 0 {
		t.Errorf("CPU time %v, want the time of day", info.CPUTime)
	}
	info.CPUTime = 0
	if info.Name != want.Name || info.UUID != want.UUID || info.ID != want.ID || info.VCPUs != want.VCPUs ||
		info.MaxMemKiB != want.MaxMemKiB || info.MemKiB != want.MemKiB || !info.Persistent || info.Security[0] != want.Security[0] {
		t.Errorf("dominfo\n got %+v\nwant %+v", info, want)
	}
	must(t, destroy.do(doms))
	info, err = doms.LookupByName(ctx, "test")
	must(t, err)
	if info.Security[0].Label != "" || info.Security[0].Enforcing {
		t.Errorf("inactive domain has security label %+v", info.Security[0])
	}
}

func TestMemoryAndVCPUs(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	current, config := backend.Scope{}, backend.Scope{Config: true}

	must(t, doms.SetMemory(ctx, "test", 1048576, current))
	err := doms.SetMemory(ctx, "test", 99999999, current)
	wantErr(t, err, backend.ErrInvalidArgument, "invalid argument: cannot set memory higher than max memory")
	err = doms.SetMaxMemory(ctx, "test", 4000000, current)
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: cannot resize the maximum memory on an active domain")
	must(t, doms.SetMaxMemory(ctx, "test", 4000000, config))

	err = doms.SetVCPUs(ctx, "test", 3, backend.VCPUOptions{})
	wantErr(t, err, backend.ErrInvalidArgument, "invalid argument: requested cpu amount exceeds maximum (3 > 2)")
	err = doms.SetVCPUs(ctx, "test", 40, backend.VCPUOptions{})
	wantErr(t, err, backend.ErrInvalidArgument, "invalid argument: requested cpu amount exceeds maximum supported amount (40 > 32)")
	must(t, doms.SetVCPUs(ctx, "test", 1, backend.VCPUOptions{}))
	must(t, doms.SetVCPUs(ctx, "test", 4, backend.VCPUOptions{Scope: config, Maximum: true}))

	live, err := doms.XML(ctx, "test", backend.XMLOptions{})
	must(t, err)
	inactive, err := doms.XML(ctx, "test", backend.XMLOptions{Inactive: true})
	must(t, err)
	for _, c := range []struct{ xml, want string }{
		{live, "  <currentMemory unit='KiB'>1048576</currentMemory>\n  <vcpu placement='static' current='1'>2</vcpu>\n"},
		{inactive, "  <memory unit='KiB'>4000000</memory>\n  <currentMemory unit='KiB'>2097152</currentMemory>\n  <vcpu placement='static' current='2'>4</vcpu>\n"},
	} {
		if !strings.Contains(c.xml, c.want) {
			t.Errorf("XML lacks\n%s in\n%s", c.want, c.xml)
		}
	}
}

func TestMetadata(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	_, err := doms.Metadata(ctx, "test", backend.MetadataTitle, backend.Scope{})
	wantErr(t, err, backend.ErrNotFound, "metadata not found: Requested metadata element is not present")
	must(t, doms.SetMetadata(ctx, "test", backend.MetadataTitle, "My Title", backend.Scope{}))
	must(t, doms.SetMetadata(ctx, "test", backend.MetadataDescription, "hello world", backend.Scope{}))
	title, err := doms.Metadata(ctx, "test", backend.MetadataTitle, backend.Scope{})
	must(t, err)
	desc, err := doms.Metadata(ctx, "test", backend.MetadataDescription, backend.Scope{})
	must(t, err)
	info, err := doms.LookupByName(ctx, "test")
	must(t, err)
	if title != "My Title" || desc != "hello world" || info.Title != "My Title" {
		t.Errorf("title %q, description %q, info title %q", title, desc, info.Title)
	}
	_, err = doms.Metadata(ctx, "test", backend.MetadataTitle, backend.Scope{Config: true})
	wantErr(t, err, backend.ErrNotFound, "metadata not found: Requested metadata element is not present")
}

func TestRename(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	err := doms.Rename(ctx, "test", "t2")
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: cannot rename active domain")
	must(t, destroy.do(doms))
	must(t, doms.Rename(ctx, "test", "t2"))
	if _, err := doms.LookupByName(ctx, "t2"); err != nil {
		t.Error(err)
	}
}

func TestStats(t *testing.T) {
	doms := open(t, "test:///default").Domains()
	stats, err := doms.Stats(ctx, nil, backend.StatsGroups{})
	must(t, err)
	want := []backend.TypedParam{{Field: "state.state", Value: int64(1)}, {Field: "state.reason", Value: int64(0)}}
	if len(stats) != 1 || stats[0].Name != "test" || len(stats[0].Params) != 2 || stats[0].Params[0] != want[0] || stats[0].Params[1] != want[1] {
		t.Errorf("domstats: %+v", stats)
	}
	stats, err = doms.Stats(ctx, []string{"test"}, backend.StatsGroups{Balloon: true})
	must(t, err)
	if len(stats) != 1 || len(stats[0].Params) != 0 {
		t.Errorf("domstats --balloon: %+v (libvirt 9.0.0's test driver has only the state group)", stats)
	}

	mem, err := doms.MemoryStats(ctx, "test")
	must(t, err)
	wantMem := map[string]uint64{"actual": 2097152, "unused": 1048576, "usable": 1048576, "last_update": 627319920, "disk_caches": 262144, "rss": 1048576}
	if len(mem) != 13 {
		t.Errorf("dommemstat has %d values, want 13", len(mem))
	}
	for _, m := range mem {
		if m.Value != wantMem[m.Tag] && !(m.Tag == "available" && m.Value == 2097152) {
			t.Errorf("dommemstat %s = %d", m.Tag, m.Value)
		}
	}
	must(t, destroy.do(doms))
	_, err = doms.MemoryStats(ctx, "test")
	wantErr(t, err, backend.ErrInvalidState, "Requested operation is not valid: domain is not running")
}
