package netdrv

import (
	"context"
	"net/url"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/hostinfo"
)

// network:///system is the network driver alone, as libvirt's modular
// virtnetworkd serves it: networks and the host's interfaces, no domains.
func init() { backend.Register("network", opener{}) }

type opener struct{}

func (opener) Open(_ context.Context, u *url.URL, _ backend.OpenOptions) (backend.Conn, error) {
	if u.Path != "/system" || u.Host != "" {
		return nil, backend.Plain(backend.CodeInvalidArgument,
			"unexpected network URI path '%s', try network:///system", u.Path)
	}
	d, err := System()
	if err != nil {
		return nil, err
	}
	return &conn{uri: u.String(), drv: d}, nil
}

type conn struct {
	uri string
	drv *Driver
}

func (c *conn) URI() string                          { return c.uri }
func (c *conn) Networks() backend.NetworkService     { return c.drv }
func (c *conn) Interfaces() backend.InterfaceService { return Interfaces() }
func (c *conn) Host() backend.HostService {
	return hostinfo.Service{Ver: backend.Version{Hypervisor: "network"}}
}
func (c *conn) Close() error { return nil }

func (c *conn) Domains() backend.DomainService     { return noDomains{c.uri} }
func (c *conn) Snapshots() backend.SnapshotService { return noSnapshots{c.uri} }
func (c *conn) Pools() backend.PoolService         { return noPools{c.uri} }
