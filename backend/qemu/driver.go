// Package qemu is virtsh's QEMU/KVM driver (qemu:///system, qemu:///session):
// definitions are libvirt domain XML in a store, and each running domain
// has a supervisor process (this binary in the hidden __qemu-supervisor
// mode) that starts QEMU, owns its QMP socket, applies the lifecycle
// actions and cleans up when QEMU exits. Later virtsh invocations talk to
// the supervisor over a control socket; if the supervisor is gone, to
// QEMU's QMP socket directly. There is no daemon.
package qemu

import (
	"context"
	"net/url"
	"os"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/netdrv"
	"github.com/virtsh/virtsh/backend/store"
)

func init() {
	backend.Register("qemu", driver{})
	backend.RegisterHelper(supervisorMode, supervisorMain)
}

type driver struct{}

// Open implements backend.Driver: qemu:///system (root only) keeps its
// state in the system directories, qemu:///session in the user's.
func (driver) Open(_ context.Context, u *url.URL, opts backend.OpenOptions) (backend.Conn, error) {
	var system bool
	switch u.Path {
	case "/system":
		if os.Geteuid() != 0 {
			return nil, backend.Plain(backend.CodeInvalidArgument, "qemu:///system needs root privileges; run virtsh as root or use qemu:///session")
		}
		system = true
	case "/session":
	default:
		return nil, backend.InvalidArgument("unexpected QEMU URI path '%s', try qemu:///system or qemu:///session", u.Path)
	}
	if u.Host != "" {
		return nil, backend.Unsupported("remote QEMU connections (%s): virtsh drives the local host only", u.String())
	}
	c, err := openConn(u.Scheme+"://"+u.Path, fsutil.DirsFor("qemu", system))
	if err != nil {
		return nil, err
	}
	if system {
		if c.nets, err = netdrv.System(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Conn is a connection to the local QEMU driver.
type Conn struct {
	uri  string
	dirs fsutil.Dirs
	defs *store.Store
	nets *netdrv.Driver // the shared network driver; nil for qemu:///session
}

func openConn(uri string, dirs fsutil.Dirs) (*Conn, error) {
	if err := dirs.Create(); err != nil {
		return nil, backend.OperationFailed("cannot create the QEMU driver's directories: %v", err)
	}
	defs, err := store.New("domain", dirs.Config, dirs.Run)
	if err != nil {
		return nil, err
	}
	return &Conn{uri: uri, dirs: dirs, defs: defs}, nil
}

func (c *Conn) URI() string                    { return c.uri }
func (c *Conn) Domains() backend.DomainService { return &domains{c} }
func (c *Conn) Close() error                   { return nil }

// Snapshots: not implemented by this driver yet.
func (c *Conn) Snapshots() backend.SnapshotService { return unsupportedSnapshots{} }

// Pools: storage pools are not implemented by this driver yet.
func (c *Conn) Pools() backend.PoolService { return unsupportedPools{} }

// Networks are the shared network driver's, as network:///system and
// lxc:///system see them (libvirt's daemon routes every connection's
// network calls to its one network driver); so are the host's
// interfaces. qemu:///session has neither: bridges need root.
func (c *Conn) Networks() backend.NetworkService {
	if c.nets == nil {
		return sessionNetworks{}
	}
	return c.nets
}

// Interfaces implements backend.HostInterfaces (nil for qemu:///session).
func (c *Conn) Interfaces() backend.InterfaceService {
	if c.nets == nil {
		return nil
	}
	return netdrv.Interfaces()
}
