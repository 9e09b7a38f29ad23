package qemu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/store"
	"libvirt.org/go/libvirtxml"
)

// LIB/list.cache keeps list fast with thousands of domains: it holds what
// list shows of each definition, keyed by the definition file's
// modification time and size, so that listing parses only the definitions
// that changed. It also records the modification time of the definitions'
// directory when it last matched the cache: every definition is written by
// renaming a new file into that directory, which changes its time, so
// while the time is the same the cache is whole and list reads neither the
// directory nor each file's time. (Editing a definition in place, without
// `virtsh define`, is not seen until the directory changes, as libvirt
// does not see it until it restarts.) The cache is a hint: every entry is
// checked against the definition it came from, which stays the truth.
// (Define's UUID index is the shared one of backend/store.)

// dirTimeSettled is how old the directory's modification time must be for
// the cache to record it: file times tick coarsely (a kernel tick, at most
// 10 ms), so a change within the same tick as the listing would otherwise
// leave the time unchanged.
const dirTimeSettled = 100 * time.Millisecond

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
	ModNS  int64
	Size   int64
	UUID   string
	VCPUs  int
	MaxKiB uint64
	KiB    uint64
	Title  string
}

type listCache struct {
	path     string
	dirty    bool
	dirModNS int64 // the definitions' directory's time when entries were all of it; 0: unknown
	entries  map[string]listEntry
}

// list.cache is text, read by every list: a first line
// "virtsh-list-cache 1 DIR_MOD_NS", then a line a definition of the fields
// name, mod_ns, size, uuid, vcpus, max_kib, kib and the quoted title,
// separated by tabs (names hold no tab or newline: ValidateName). Parsing
// it takes a tenth of decoding the same as JSON.
const listCacheMagic = "virtsh-list-cache 1 "

func (c *Conn) loadListCache() *listCache {
	lc := &listCache{path: filepath.Join(c.dirs.Lib, "list.cache"), entries: map[string]listEntry{}}
	b, err := os.ReadFile(lc.path)
	if err != nil {
		return lc
	}
	head, body, _ := strings.Cut(string(b), "\n")
	mod, ok := strings.CutPrefix(head, listCacheMagic)
	if !ok {
		return lc // another format: rebuilt by this listing
	}
	lc.dirModNS, _ = strconv.ParseInt(mod, 10, 64)
	lc.entries = make(map[string]listEntry, strings.Count(body, "\n"))
	for _, line := range strings.Split(body, "\n") {
		if name, e, ok := parseListEntry(line); ok {
			lc.entries[name] = e
		} else if line != "" {
			lc.dirModNS = 0 // a damaged line: check every definition
		}
	}
	return lc
}

func parseListEntry(line string) (string, listEntry, bool) {
	f := strings.Split(line, "\t")
	if len(f) != 8 {
		return "", listEntry{}, false
	}
	var e listEntry
	var errs [6]error
	e.ModNS, errs[0] = strconv.ParseInt(f[1], 10, 64)
	e.Size, errs[1] = strconv.ParseInt(f[2], 10, 64)
	e.UUID = f[3]
	e.VCPUs, errs[2] = strconv.Atoi(f[4])
	e.MaxKiB, errs[3] = strconv.ParseUint(f[5], 10, 64)
	e.KiB, errs[4] = strconv.ParseUint(f[6], 10, 64)
	e.Title, errs[5] = strconv.Unquote(f[7])
	return f[0], e, errors.Join(errs[:]...) == nil
}

func (lc *listCache) save() {
	if !lc.dirty {
		return
	}
	var b strings.Builder
	b.WriteString(listCacheMagic + strconv.FormatInt(lc.dirModNS, 10) + "\n")
	for name, e := range lc.entries {
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%d\t%d\t%d\t%s\n", name, e.ModNS, e.Size, e.UUID, e.VCPUs, e.MaxKiB, e.KiB, strconv.Quote(e.Title))
	}
	_ = fsutil.WriteVolatile(lc.path, []byte(b.String()), 0o600)
}

// definitionNames are the names of the definitions in dir, from the cache
// when the directory has not changed since it was whole (trusted: its
// entries need no check), else read from the directory, and the cache
// made to match it.
func (lc *listCache) definitionNames(dir string, read func() ([]string, error)) (names []string, trusted bool, err error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, false, backend.OperationFailed("cannot list %s: %v", dir, err)
	}
	mod := fi.ModTime().UnixNano()
	if lc.dirModNS != 0 && lc.dirModNS == mod {
		for n := range lc.entries {
			names = append(names, n)
		}
		return names, true, nil
	}
	if names, err = read(); err != nil {
		return nil, false, err
	}
	defined := make(map[string]bool, len(names))
	for _, n := range names {
		defined[n] = true
	}
	for n := range lc.entries {
		if !defined[n] {
			delete(lc.entries, n)
		}
	}
	lc.dirModNS = 0
	if time.Since(fi.ModTime()) > dirTimeSettled {
		lc.dirModNS = mod // read before the directory: a later change shows as another time
	}
	lc.dirty = true
	return names, false, nil
}

// listInfo returns list's view of name, from the cache when its
// definition has not changed (trusted: the cache is known to be whole and
// current); running domains are read from their live XML. hasStatus and
// autostart come from List's directory reads.
func (d *domains) listInfo(lc *listCache, trusted bool, name string, hasStatus, autostart bool) (backend.DomainInfo, error) {
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
	e, ok := lc.entries[name]
	if trusted && ok {
		return e.info(name, st, has, autostart), nil
	}
	fi, err := os.Stat(filepath.Join(d.c.defs.Dir(), name+".xml"))
	if errors.Is(err, os.ErrNotExist) {
		return backend.DomainInfo{}, backend.NoDomain("no domain with matching name '%s'", name)
	}
	if err != nil {
		return backend.DomainInfo{}, backend.OperationFailed("%v", err)
	}
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
	return e.info(name, st, has, autostart), nil
}

// info is list's view of an inactive defined domain.
func (e listEntry) info(name string, st status, hasStatus, autostart bool) backend.DomainInfo {
	info := backend.DomainInfo{
		Name: name, UUID: e.UUID, ID: -1, OSType: "hvm", State: backend.DomainShutoff,
		VCPUs: e.VCPUs, MaxMemKiB: e.MaxKiB, MemKiB: e.KiB, Title: e.Title,
		Persistent: true, Autostart: autostart,
	}
	if hasStatus {
		info.State, info.Reason = st.State, st.Reason
	}
	return info
}
