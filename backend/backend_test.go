package backend

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestErrorsMatchByCode(t *testing.T) {
	err := NoDomain("no domain with matching name '%s'", "x")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidState) {
		t.Fatalf("errors.Is mismatch for %v", err)
	}
	if got, want := err.Error(), "Domain not found: no domain with matching name 'x'"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if CodeOf(err) != CodeNotFound || CodeOf(errors.New("x")) != CodeInternal {
		t.Error("CodeOf")
	}
	if got := InvalidState("domain is not running").Error(); got != "Requested operation is not valid: domain is not running" {
		t.Errorf("InvalidState: %q", got)
	}
}

func TestStateWords(t *testing.T) {
	if DomainShutoff.String() != "shut off" || DomainShutdown.String() != "in shutdown" || DomainBlocked.String() != "idle" {
		t.Error("state words differ from virsh's")
	}
	if ReasonString(DomainShutoff, ShutoffDestroyed) != "destroyed" || ReasonString(DomainPaused, PausedUser) != "user" ||
		ReasonString(DomainRunning, 99) != "unknown" {
		t.Error("reason words differ from virsh's")
	}
}

// fakeConn is a connection whose services are nil: the read-only wrapper
// must refuse changes without ever reaching them.
type fakeConn struct{ Conn }

func (fakeConn) URI() string                { return "fake:///" }
func (fakeConn) Domains() DomainService     { return nil }
func (fakeConn) Snapshots() SnapshotService { return nil }
func (fakeConn) Networks() NetworkService   { return nil }
func (fakeConn) Close() error               { return nil }

type fakeDriver struct{}

func (fakeDriver) Open(context.Context, *url.URL, OpenOptions) (Conn, error) { return fakeConn{}, nil }

func TestOpenReadOnly(t *testing.T) {
	Register("fake", fakeDriver{})
	ctx := context.Background()
	c, err := Open(ctx, "fake:///", OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]error{
		"destroy":     c.Domains().Destroy(ctx, "x", DestroyOptions{}),
		"start":       c.Domains().Start(ctx, "x", StartOptions{}),
		"setmem":      c.Domains().SetMemory(ctx, "x", 1, Scope{}),
		"snapshot":    c.Snapshots().Delete(ctx, "x", "s", SnapshotDeleteOptions{}),
		"net-destroy": c.Networks().Destroy(ctx, "n"),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s under read-only: %v, want ErrReadOnly", name, err)
		}
	}
	if got := checks["destroy"].Error(); got != "operation forbidden: read only access prevents virDomainDestroy" {
		t.Errorf("message %q", got)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "nosuch:///x", OpenOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown scheme: %v", err)
	}
	if _, err := Open(ctx, "::", OpenOptions{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("malformed URI: %v", err)
	}
}

func TestDefaultURI(t *testing.T) {
	t.Setenv("VIRTSH_DEFAULT_URI", "")
	t.Setenv("LIBVIRT_DEFAULT_URI", "test:///libvirt")
	if got := DefaultURI(); got != "test:///libvirt" {
		t.Errorf("LIBVIRT_DEFAULT_URI: %q", got)
	}
	t.Setenv("VIRTSH_DEFAULT_URI", "test:///virtsh")
	if got := DefaultURI(); got != "test:///virtsh" {
		t.Errorf("VIRTSH_DEFAULT_URI first: %q", got)
	}
	t.Setenv("VIRTSH_DEFAULT_URI", "")
	t.Setenv("LIBVIRT_DEFAULT_URI", "")
	if got := DefaultURI(); got != "qemu:///system" && got != "qemu:///session" {
		t.Errorf("fallback: %q", got)
	}
}

func TestScopeResolve(t *testing.T) {
	cases := []struct {
		s                   Scope
		running, persistent bool
		live, config        bool
		err                 string
	}{
		{Scope{}, true, true, true, false, ""},
		{Scope{}, false, true, false, true, ""},
		{Scope{Live: true}, false, true, false, false, "domain is not running"},
		{Scope{Config: true}, true, false, false, false, "transient"},
		{Scope{Live: true, Config: true}, true, true, true, true, ""},
		{Scope{}, true, false, true, false, ""},
	}
	for _, c := range cases {
		live, config, err := c.s.Resolve(c.running, c.persistent)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: err %v, want %q", c, err, c.err)
			}
			continue
		}
		if err != nil || live != c.live || config != c.config {
			t.Errorf("%+v: got %v %v %v", c, live, config, err)
		}
	}
}
