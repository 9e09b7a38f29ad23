// Package testdrv is virtsh's equivalent of libvirt's test driver
// (src/test/test_driver.c of libvirt 9.0.0): test:///default opens a fresh
// in-memory host with one domain, network and pool, and test:///PATH.xml
// loads a test-driver node file. Every connection has its own state, which
// lives as long as the connection.
package testdrv

import (
	"context"
	"net/url"
	"sync"

	"github.com/virtsh/virtsh/backend"
)

func init() {
	backend.Register("test", driver{})
}

type driver struct{}

// Open implements backend.Driver.
func (driver) Open(_ context.Context, u *url.URL, _ backend.OpenOptions) (backend.Conn, error) {
	switch u.Path {
	case "", "/":
		return nil, backend.InvalidArgument("testOpen: supply a path or use test:///default")
	case "/default":
		return openDefault(u.String())
	default:
		return openFile(u.String(), u.Path)
	}
}

// conn is one test connection; mu guards everything below it.
type conn struct {
	uri string

	mu       sync.Mutex
	node     backend.NodeInfo
	cells    []numaCell
	nextID   int
	domains  []*domainObj
	networks []*networkObj
	pools    []*poolObj
}

func newConn(uri string) *conn {
	return &conn{uri: uri, node: defaultNodeInfo, nextID: 1}
}

func (c *conn) URI() string                        { return c.uri }
func (c *conn) Domains() backend.DomainService     { return domainService{c} }
func (c *conn) Snapshots() backend.SnapshotService { return snapshotService{c} }
func (c *conn) Networks() backend.NetworkService   { return networkService{c} }
func (c *conn) Pools() backend.PoolService         { return poolService{c} }
func (c *conn) Host() backend.HostService          { return hostService{c} }
func (c *conn) Close() error                       { return nil }

// locked runs fn with the connection locked.
func (c *conn) locked(fn func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fn()
}

// find returns the first element of objs matching, or nil.
func find[T any](objs []*T, match func(*T) bool) *T {
	for _, o := range objs {
		if match(o) {
			return o
		}
	}
	return nil
}

// remove returns objs without obj.
func remove[T any](objs []*T, obj *T) []*T {
	out := objs[:0]
	for _, o := range objs {
		if o != obj {
			out = append(out, o)
		}
	}
	return out
}

// stateError is an invalid-state error that libvirt's test driver reports
// as an internal error ("internal error: domain 'x' not paused"). backend
// has no constructor for that combination.
func stateError(format string, args ...any) error {
	err := backend.Internal(format, args...).(*backend.Error)
	return &backend.Error{Code: backend.CodeInvalidState, Msg: err.Msg}
}

// unsupportedFlags is libvirt's virCheckFlags error.
func unsupportedFlags(flags uint, function string) error {
	return backend.Plain(backend.CodeUnsupported, "unsupported flags (0x%x) in function %s", flags, function)
}
