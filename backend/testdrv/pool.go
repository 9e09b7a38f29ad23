package testdrv

import (
	"context"
	"strconv"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// defaultPoolCapacity is testStoragePoolObjSetDefaults' capacity: 100 GiB.
const defaultPoolCapacity = 100 << 30

// poolObj is one storage pool; the test driver's pools are always active.
type poolObj struct {
	name, uuid, ptype, path string
	source                  *node // the <source> element as given, nil when absent
	capacity, allocation    uint64
	volumes                 []*volumeObj
}

type volumeObj struct {
	name, key, path, vtype, fileFormat string
	capacity, allocation               uint64
}

func parsePool(n *node) (*poolObj, error) {
	def := &libvirtxml.StoragePool{}
	if err := def.Unmarshal(n.rawXML()); err != nil {
		return nil, backend.XMLError("%v", err)
	}
	if def.Name == "" {
		return nil, backend.Plain(backend.CodeXML, "missing name information")
	}
	p := &poolObj{name: def.Name, uuid: def.UUID, ptype: def.Type, source: n.child("", "source"), capacity: defaultPoolCapacity}
	if p.uuid == "" {
		p.uuid = newUUID()
	}
	if def.Target != nil {
		p.path = def.Target.Path
	}
	return p, nil
}

// addVolume is the volume part of testOpenVolumesForPool.
func (p *poolObj) addVolume(n *node) error {
	def := &libvirtxml.StorageVolume{}
	if err := def.Unmarshal(n.rawXML()); err != nil {
		return backend.XMLError("%v", err)
	}
	if def.Name == "" {
		return backend.Plain(backend.CodeXML, "missing name information")
	}
	v := &volumeObj{name: def.Name, key: def.Key, vtype: orDefault(def.Type, "file"), fileFormat: "raw"}
	var ok bool
	if v.capacity, ok = volumeSize(def.Capacity); !ok {
		return backend.XMLError("malformed capacity element")
	}
	if v.allocation, ok = volumeSize((*libvirtxml.StorageVolumeSize)(def.Allocation)); !ok {
		return backend.XMLError("malformed allocation element")
	}
	if def.Target != nil {
		v.path = def.Target.Path
		if def.Target.Format != nil && def.Target.Format.Type != "" {
			v.fileFormat = def.Target.Format.Type
		}
	}
	if v.path == "" {
		v.path = p.path + "/" + v.name
	}
	v.key = orDefault(v.key, v.path)
	p.volumes = append(p.volumes, v)
	p.allocation += v.allocation
	return nil
}

func volumeSize(s *libvirtxml.StorageVolumeSize) (uint64, bool) {
	if s == nil {
		return 0, true
	}
	return toBytes(s.Value, s.Unit, "bytes")
}

func (p *poolObj) info() backend.PoolInfo {
	return backend.PoolInfo{
		Name: p.name, UUID: p.uuid, Type: p.ptype, State: backend.PoolRunning, Persistent: true,
		Capacity: p.capacity, Allocation: p.allocation, Available: p.capacity - p.allocation,
	}
}

func (p *poolObj) volumeInfo(v *volumeObj) backend.VolumeInfo {
	return backend.VolumeInfo{
		Name: v.name, Pool: p.name, Key: v.key, Path: v.path, Type: v.vtype, Capacity: v.capacity, Allocation: v.allocation,
	}
}

func bytesElem(name string, v uint64) *node {
	return elem(name, "unit", "bytes").text(strconv.FormatUint(v, 10))
}

func (p *poolObj) format() string {
	source := p.source
	if source == nil {
		source = elem("source")
	}
	return elem("pool", "type", p.ptype).add(
		elem("name").text(p.name),
		elem("uuid").text(p.uuid),
		bytesElem("capacity", p.capacity),
		bytesElem("allocation", p.allocation),
		bytesElem("available", p.capacity-p.allocation),
		source,
		elem("target").add(elem("path").text(p.path)),
	).format()
}

func (v *volumeObj) format() string {
	return elem("volume", "type", v.vtype).add(
		elem("name").text(v.name),
		elem("key").text(v.key),
		bytesElem("capacity", v.capacity),
		bytesElem("allocation", v.allocation),
		elem("target").add(elem("path").text(v.path), elem("format", "type", v.fileFormat)),
	).format()
}

func (c *conn) poolByName(name string) (*poolObj, error) {
	if p := find(c.pools, func(p *poolObj) bool { return p.name == name }); p != nil {
		return p, nil
	}
	return nil, backend.NoPool("no storage pool with matching name '%s'", name)
}

func (c *conn) poolByUUID(uuid string) (*poolObj, error) {
	if p := find(c.pools, func(p *poolObj) bool { return strings.EqualFold(p.uuid, uuid) }); p != nil {
		return p, nil
	}
	return nil, backend.NoPool("no storage pool with matching uuid '%s'", uuid)
}

type poolService struct{ c *conn }

func (s poolService) with(name string, fn func(*poolObj) error) error {
	return s.c.locked(func() error {
		p, err := s.c.poolByName(name)
		if err != nil {
			return err
		}
		return fn(p)
	})
}

func (s poolService) lookup(get func() (*poolObj, error)) (backend.PoolInfo, error) {
	var info backend.PoolInfo
	err := s.c.locked(func() error {
		p, err := get()
		if err == nil {
			info = p.info()
		}
		return err
	})
	return info, err
}

func (s poolService) List(context.Context) ([]backend.PoolInfo, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	out := make([]backend.PoolInfo, 0, len(s.c.pools))
	for _, p := range s.c.pools {
		out = append(out, p.info())
	}
	return out, nil
}

func (s poolService) LookupByName(_ context.Context, name string) (backend.PoolInfo, error) {
	return s.lookup(func() (*poolObj, error) { return s.c.poolByName(name) })
}

func (s poolService) LookupByUUID(_ context.Context, uuid string) (backend.PoolInfo, error) {
	return s.lookup(func() (*poolObj, error) { return s.c.poolByUUID(uuid) })
}

func (s poolService) XML(_ context.Context, name string, _ backend.XMLOptions) (string, error) {
	var out string
	err := s.with(name, func(p *poolObj) error {
		out = p.format()
		return nil
	})
	return out, err
}

func (s poolService) Volumes(_ context.Context, pool string) ([]backend.VolumeInfo, error) {
	var out []backend.VolumeInfo
	err := s.with(pool, func(p *poolObj) error {
		for _, v := range p.volumes {
			out = append(out, p.volumeInfo(v))
		}
		return nil
	})
	return out, err
}

// findVolume finds a volume by name in pool, or by key or path in every
// pool when pool is empty.
func (c *conn) findVolume(pool, key string) (*poolObj, *volumeObj, error) {
	if pool != "" {
		p, err := c.poolByName(pool)
		if err != nil {
			return nil, nil, err
		}
		if v := find(p.volumes, func(v *volumeObj) bool { return v.name == key }); v != nil {
			return p, v, nil
		}
		return nil, nil, backend.NoVolume("no storage vol with matching name '%s'", key)
	}
	for _, p := range c.pools {
		if v := find(p.volumes, func(v *volumeObj) bool { return v.key == key || v.path == key }); v != nil {
			return p, v, nil
		}
	}
	return nil, nil, backend.NoVolume("no storage vol with matching path '%s'", key)
}

func (s poolService) LookupVolume(_ context.Context, pool, key string) (backend.VolumeInfo, error) {
	var out backend.VolumeInfo
	err := s.c.locked(func() error {
		p, v, err := s.c.findVolume(pool, key)
		if err == nil {
			out = p.volumeInfo(v)
		}
		return err
	})
	return out, err
}

func (s poolService) VolumeXML(_ context.Context, pool, name string) (string, error) {
	var out string
	err := s.c.locked(func() error {
		_, v, err := s.c.findVolume(pool, name)
		if err == nil {
			out = v.format()
		}
		return err
	})
	return out, err
}
