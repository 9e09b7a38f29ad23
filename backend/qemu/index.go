package qemu

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/store"
	"libvirt.org/go/libvirtxml"
)

// LIB/list.cache keeps list fast with thousands of domains: it holds what
// list shows of each definition, keyed by the definition file's
// modification time and size, so that listing parses only the definitions
// that changed. It is a hint: every entry is checked against the
// definition, which stays the truth. (Define's UUID index is the shared
// one of backend/store.)

// runningIdentities are the names and UUIDs of the running domains,
// transient ones too, for the identity rules every driver shares
// (store.ClaimUUID).
func (c *Conn) runningIdentities() ([]store.Identity, error) {
	names, err := c.runtimeNames()
	if err != nil {
		return nil, err
	}
	var running []store.Identity
	for _, n := range names {
		if st, has, _ := c.readStatus(n); has && st.State.Active() {
			b, _ := os.ReadFile(c.liveXMLPath(n))
			running = append(running, store.Identity{Name: n, UUID: store.UUIDOf(string(b))})
		}
	}
	return running, nil
}

// claimUUID applies the shared identity rules to dom (the caller holds its
// lock).
func (c *Conn) claimUUID(dom *libvirtxml.Domain) error {
	running, err := c.runningIdentities()
	if err == nil {
		dom.UUID, err = c.defs.ClaimUUID(dom.Name, dom.UUID, running)
	}
	return err
}

// listEntry is what list needs of one persistent definition.
type listEntry struct {
	ModNS  int64  `json:"mod_ns"`
	Size   int64  `json:"size"`
	UUID   string `json:"uuid"`
	VCPUs  int    `json:"vcpus"`
	MaxKiB uint64 `json:"max_kib"`
	KiB    uint64 `json:"kib"`
	Title  string `json:"title,omitempty"`
}

type listCache struct {
	path    string
	entries map[string]listEntry
	dirty   bool
}

func (c *Conn) loadListCache() *listCache {
	lc := &listCache{path: filepath.Join(c.dirs.Lib, "list.cache"), entries: map[string]listEntry{}}
	if b, err := os.ReadFile(lc.path); err == nil {
		_ = json.Unmarshal(b, &lc.entries)
	}
	return lc
}

func (lc *listCache) save() {
	if !lc.dirty {
		return
	}
	if b, err := json.Marshal(lc.entries); err == nil {
		_ = fsutil.WriteAtomic(lc.path, b, 0o600)
	}
}

// listInfo returns list's view of name, from the cache when its
// definition has not changed; running domains are read from their live XML.
// hasStatus and autostart come from List's directory reads.
func (d *domains) listInfo(lc *listCache, name string, hasStatus, autostart bool) (backend.DomainInfo, error) {
	var st status
	has := false
	if hasStatus {
		var err error
		if st, has, err = d.c.readStatus(name); err != nil {
			return backend.DomainInfo{}, err
		}
	}
	if has && st.State.Active() {
		return d.info(name)
	}
	fi, err := os.Stat(filepath.Join(d.c.defs.Dir(), name+".xml"))
	if errors.Is(err, os.ErrNotExist) {
		return backend.DomainInfo{}, backend.NoDomain("no domain with matching name '%s'", name)
	}
	if err != nil {
		return backend.DomainInfo{}, backend.OperationFailed("%v", err)
	}
	e, ok := lc.entries[name]
	if !ok || e.ModNS != fi.ModTime().UnixNano() || e.Size != fi.Size() {
		doc, found, err := d.c.defs.Read(name)
		if err != nil || !found {
			return backend.DomainInfo{}, backend.NoDomain("no domain with matching name '%s'", name)
		}
		var dom libvirtxml.Domain
		if err := dom.Unmarshal(doc); err != nil {
			return backend.DomainInfo{}, backend.XMLError("domain '%s': %v", name, err)
		}
		info := d.infoOf(&dom, st, false, true)
		e = listEntry{ModNS: fi.ModTime().UnixNano(), Size: fi.Size(), UUID: info.UUID, VCPUs: info.VCPUs,
			MaxKiB: info.MaxMemKiB, KiB: info.MemKiB, Title: info.Title}
		lc.entries[name] = e
		lc.dirty = true
	}
	info := backend.DomainInfo{
		Name: name, UUID: e.UUID, ID: -1, OSType: "hvm", State: backend.DomainShutoff,
		VCPUs: e.VCPUs, MaxMemKiB: e.MaxKiB, MemKiB: e.KiB, Title: e.Title,
		Persistent: true, Autostart: autostart,
	}
	if has {
		info.State, info.Reason = st.State, st.Reason
	}
	return info, nil
}
