package qemu

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"libvirt.org/go/libvirtxml"
)

// Two small indexes keep define and list fast with thousands of domains:
// LIB/uuids/UUID names the domain defined with that UUID, and
// LIB/list.cache holds what list shows of each definition, keyed by the
// definition file's modification time and size, so that listing parses
// only the definitions that changed. Both are hints: every entry is
// checked against the definitions, which stay the truth.

func (c *Conn) uuidPath(uuid string) string {
	return filepath.Join(c.dirs.Lib, "uuids", strings.ReplaceAll(strings.ToLower(uuid), "-", ""))
}

var uuidElemRE = regexp.MustCompile(`<uuid>\s*([^<\s]+)\s*</uuid>`)

// definedUUID is the UUID in name's persistent definition, "" if none.
func (c *Conn) definedUUID(name string) string {
	doc, ok, err := c.defs.Read(name)
	if err != nil || !ok {
		return ""
	}
	if m := uuidElemRE.FindStringSubmatch(doc); m != nil {
		return m[1]
	}
	return ""
}

func sameUUID(a, b string) bool {
	return strings.EqualFold(strings.ReplaceAll(a, "-", ""), strings.ReplaceAll(b, "-", ""))
}

// checkUUID refuses to define name with uuid when name exists with
// another UUID, or another domain has this UUID.
func (c *Conn) checkUUID(name, uuid string) error {
	if old := c.definedUUID(name); old != "" && !sameUUID(old, uuid) {
		return backend.OperationFailed("domain '%s' already exists with uuid %s", name, old)
	}
	if st, has, _ := c.readStatus(name); has && st.State.Active() {
		if b, err := os.ReadFile(c.liveXMLPath(name)); err == nil {
			if m := uuidElemRE.FindSubmatch(b); m != nil && !sameUUID(string(m[1]), uuid) {
				return backend.OperationFailed("domain '%s' already exists with uuid %s", name, m[1])
			}
		}
	}
	b, err := os.ReadFile(c.uuidPath(uuid))
	if other := strings.TrimSpace(string(b)); err == nil && other != name && sameUUID(c.definedUUID(other), uuid) {
		return backend.OperationFailed("domain '%s' is already defined with uuid %s", other, uuid)
	}
	return nil
}

func (c *Conn) claimUUID(name, uuid string) error {
	if err := os.MkdirAll(filepath.Join(c.dirs.Lib, "uuids"), 0o700); err != nil {
		return backend.OperationFailed("%v", err)
	}
	// A hint, checked against the definitions on use: no need to sync it.
	if err := os.WriteFile(c.uuidPath(uuid), []byte(name), 0o600); err != nil {
		return backend.OperationFailed("cannot record the UUID of '%s': %v", name, err)
	}
	return nil
}

func (c *Conn) releaseUUID(uuid string) {
	if uuid != "" {
		os.Remove(c.uuidPath(uuid))
	}
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
func (d *domains) listInfo(lc *listCache, name string) (backend.DomainInfo, error) {
	st, has, err := d.c.readStatus(name)
	if err != nil {
		return backend.DomainInfo{}, err
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
		Persistent: true, Autostart: d.c.defs.Autostart(name),
	}
	if has {
		info.State, info.Reason = st.State, st.Reason
	}
	return info, nil
}
