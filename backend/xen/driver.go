// Package xen is virtsh's Xen driver (xen:///system). It drives Xen's own
// toolstack, xl, in dom0, as libvirt's libxl driver drives libxl: the
// definitions are libvirt domain XML kept in virtsh's store, converted to
// xl configuration files (package xlconfig) when a domain starts, and the
// runtime facts come from xenstore and the hypervisor, read directly as
// libxl reads them (DomainReader), with `xl list` as the fallback. The xl process that
// `xl create` leaves behind for each guest applies on_poweroff, on_reboot
// and on_crash, so virtsh needs no supervisor of its own here.
package xen

import (
	"context"
	"io"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/virtsh/virtsh/backend/store"
)

func init() { backend.Register("xen", driver{}) }

type driver struct{}

func (driver) Open(_ context.Context, u *url.URL, _ backend.OpenOptions) (backend.Conn, error) {
	switch u.Path {
	case "", "/", "/system":
	default:
		return nil, backend.InvalidArgument("unexpected Xen URI path '%s', try xen:///system", u.Path)
	}
	c, err := Open("xen:///system", &execRunner{})
	if err != nil {
		return nil, err
	}
	c.reader = &directReader{}
	return c, nil
}

// Conn is an open connection to the Xen host.
type Conn struct {
	uri  string
	run  Runner
	dirs fsutil.Dirs
	defs *store.Store   // persistent definitions
	live *store.Store   // the live XML of running domains
	nets *netdrv.Driver // the shared network driver (network:///system)

	// reader lists the running domains without xl; nil, or failing, means
	// `xl list` does.
	reader DomainReader

	listMu  sync.Mutex // guards the last `xl list`
	listOut []byte
	listAt  time.Time
}

// Open connects through run to the toolstack, keeping state in the "xen"
// directories (under VIRTSH_ROOT when set). It needs no Xen host: the
// first toolstack command reports what is missing.
func Open(uri string, run Runner) (*Conn, error) {
	dirs := fsutil.DirsFor("xen", true)
	if err := dirs.Create(); err != nil {
		return nil, backend.OperationFailed("cannot create the Xen driver's directories: %v", err)
	}
	locks := filepath.Join(dirs.Run, "locks")
	defs, err := store.New("domain", dirs.Config, locks)
	if err != nil {
		return nil, err
	}
	live, err := store.New("domain", filepath.Join(dirs.Run, "live"), locks)
	if err != nil {
		return nil, err
	}
	nets, err := netdrv.System()
	if err != nil {
		return nil, err
	}
	return &Conn{uri: uri, run: run, dirs: dirs, defs: defs, live: live, nets: nets}, nil
}

func (c *Conn) URI() string                    { return c.uri }
func (c *Conn) Domains() backend.DomainService { return domains{c} }
func (c *Conn) Host() backend.HostService      { return host{c} }

// Networks are the shared network driver's, as qemu:///system and
// lxc:///system see them (libvirt's daemon routes every connection's
// network calls to its one network driver); so are the host's interfaces.
func (c *Conn) Networks() backend.NetworkService { return c.nets }

// Interfaces implements backend.HostInterfaces.
func (c *Conn) Interfaces() backend.InterfaceService { return netdrv.Interfaces() }

func (c *Conn) Pools() backend.PoolService         { return noPools{} }
func (c *Conn) Snapshots() backend.SnapshotService { return noSnapshots{} }

func (c *Conn) Close() error {
	if cl, ok := c.reader.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

var (
	_ backend.NativeConfig      = (*Conn)(nil)
	_ backend.HostInterfaces    = (*Conn)(nil)
	_ backend.DomainSaveRestore = domains{}
	_ backend.DomainDevices     = domains{}
	_ backend.DomainConsole     = domains{}
)
