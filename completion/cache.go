package completion

import (
	"context"
	"sync"

	"github.com/virtsh/virtsh/backend"
)

// Cache memoizes what completers read from the connection, so that the
// shell, which completes on every keystroke, asks the driver once per
// line. The shell calls Reset after each executed line.
type Cache struct {
	conn ConnFunc

	mu      sync.Mutex
	entries map[string]any
}

// NewCache caches the lookups completers make through conn.
func NewCache(conn ConnFunc) *Cache {
	return &Cache{conn: conn, entries: map[string]any{}}
}

// Reset forgets everything cached.
func (c *Cache) Reset() {
	c.mu.Lock()
	c.entries = map[string]any{}
	c.mu.Unlock()
}

// Conn is a ConnFunc whose listings come from the cache.
func (c *Cache) Conn(ctx context.Context) (backend.Conn, error) {
	conn, err := c.conn(ctx)
	if err != nil {
		return nil, err
	}
	return cachedConn{Conn: conn, cache: c}, nil
}

// memo returns the cached result for key, or calls load and caches a
// successful result.
func memo[T any](c *Cache, key string, load func() (T, error)) (T, error) {
	c.mu.Lock()
	v, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return v.(T), nil
	}
	res, err := load()
	if err == nil {
		c.mu.Lock()
		c.entries[key] = res
		c.mu.Unlock()
	}
	return res, err
}

type cachedConn struct {
	backend.Conn
	cache *Cache
}

func (c cachedConn) Domains() backend.DomainService {
	return cachedDomains{c.Conn.Domains(), c.cache}
}
func (c cachedConn) Networks() backend.NetworkService {
	return cachedNetworks{c.Conn.Networks(), c.cache}
}
func (c cachedConn) Pools() backend.PoolService { return cachedPools{c.Conn.Pools(), c.cache} }
func (c cachedConn) Snapshots() backend.SnapshotService {
	return cachedSnapshots{c.Conn.Snapshots(), c.cache}
}

type cachedDomains struct {
	backend.DomainService
	cache *Cache
}

func (d cachedDomains) List(ctx context.Context) ([]backend.DomainInfo, error) {
	return memo(d.cache, "domains", func() ([]backend.DomainInfo, error) { return d.DomainService.List(ctx) })
}

func (d cachedDomains) XML(ctx context.Context, name string, opts backend.XMLOptions) (string, error) {
	return memo(d.cache, "domxml/"+name, func() (string, error) { return d.DomainService.XML(ctx, name, opts) })
}

type cachedNetworks struct {
	backend.NetworkService
	cache *Cache
}

func (n cachedNetworks) List(ctx context.Context) ([]backend.NetworkInfo, error) {
	return memo(n.cache, "networks", func() ([]backend.NetworkInfo, error) { return n.NetworkService.List(ctx) })
}

type cachedPools struct {
	backend.PoolService
	cache *Cache
}

func (p cachedPools) List(ctx context.Context) ([]backend.PoolInfo, error) {
	return memo(p.cache, "pools", func() ([]backend.PoolInfo, error) { return p.PoolService.List(ctx) })
}

func (p cachedPools) Volumes(ctx context.Context, pool string) ([]backend.VolumeInfo, error) {
	return memo(p.cache, "volumes/"+pool, func() ([]backend.VolumeInfo, error) { return p.PoolService.Volumes(ctx, pool) })
}

type cachedSnapshots struct {
	backend.SnapshotService
	cache *Cache
}

func (s cachedSnapshots) List(ctx context.Context, domain string) ([]backend.SnapshotInfo, error) {
	return memo(s.cache, "snapshots/"+domain, func() ([]backend.SnapshotInfo, error) { return s.SnapshotService.List(ctx, domain) })
}
