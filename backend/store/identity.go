package store

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"
)

// Identity is a domain's name and UUID.
type Identity struct{ Name, UUID string }

// Domain definitions follow libvirt's identity rules
// (virDomainObjListAdd): a name keeps its UUID, and no two domains share
// one. ClaimUUID enforces them for every driver. An index answers "who
// holds this UUID" with thousands of domains: one append-only file in the
// definitions' directory, of lines "UUID NAME" (the UUID in lower case
// without dashes), where the last line of a UUID wins. Claiming appends a
// line, so defining a domain creates no file but its definition; nothing
// is appended on undefine, since every entry is checked against the
// definition it names, which stays the truth. Past indexCompactAt bytes
// the file is rewritten with the entries that still hold.

const indexCompactAt = 256 << 10

var uuidElem = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<uuid>\s*([^<\s]+)\s*</uuid>`) }) // compiled when first used, not at every start

func normUUID(u string) string { return strings.ToLower(strings.ReplaceAll(u, "-", "")) }

func (s *Store) indexPath() string { return filepath.Join(s.dir, ".uuid-index") }

// indexKey is the lock that serialises the claims of UUIDs (and the
// index's compaction) across processes; no object name can be it, names
// have no '/'. It is taken after an object's own lock, if at all.
const indexKey = "/uuid-index"

// lockIndex takes the index's lock.
func (s *Store) lockIndex() (unlock func(), err error) {
	unlock, err = fsutil.LockKey(s.lockTable(), indexKey)
	if err != nil {
		return nil, backend.OperationFailed("%v", err)
	}
	return unlock, nil
}

// UUIDOf is the UUID in a domain XML document, "" when it has none.
func UUIDOf(doc string) string {
	if m := uuidElem().FindStringSubmatch(doc); m != nil {
		return m[1]
	}
	return ""
}

// DefinedUUID is the UUID in name's definition, "" when it has none.
func (s *Store) DefinedUUID(name string) string {
	doc, ok, err := s.Read(name)
	if err != nil || !ok {
		return ""
	}
	return UUIDOf(doc)
}

// NameOfUUID returns the defined domain holding uuid: the name of its
// latest index entry that its definition confirms.
func (s *Store) NameOfUUID(uuid string) (string, bool) {
	b := s.index.read(s.indexPath())
	key := []byte("\n" + normUUID(uuid) + " ")
	var at []int // where uuid's entries start (bytes.Index is vectorised; LastIndex is not)
	for i := 0; ; {
		j := bytes.Index(b[i:], key)
		if j < 0 {
			break
		}
		at = append(at, i+j+len(key))
		i += j + len(key)
	}
	for k := len(at) - 1; k >= 0; k-- {
		name, _, complete := bytes.Cut(b[at[k]:], []byte("\n"))
		if complete && normUUID(s.DefinedUUID(string(name))) == normUUID(uuid) {
			return string(name), true
		}
		// a stale entry, or a line being appended: look further back
	}
	return "", false
}

// indexCopy is a process's copy of the index file, read on from where it
// left off: the file only grows, until a compaction replaces it. A batch
// of a thousand defines thus reads each entry once, not the whole index a
// thousand times.
type indexCopy struct {
	mu   sync.Mutex
	ino  uint64
	data []byte // a newline, then the file's bytes as far as read
}

// read returns the index's content, preceded by a newline (so that every
// entry follows one); empty when there is no index.
func (c *indexCopy) read(path string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) // a bare descriptor: see fsutil's openFD
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return nil
	}
	if st.Ino != c.ino || st.Size < int64(len(c.data)-1) {
		c.ino, c.data = st.Ino, []byte{'\n'} // a new file: read it all
	}
	buf := make([]byte, st.Size-int64(len(c.data)-1))
	n, _ := unix.Pread(fd, buf, int64(len(c.data)-1))
	c.data = append(c.data, buf[:max(n, 0)]...)
	return c.data
}

// ClaimUUID settles the UUID of the domain about to be stored as name
// (the caller holds name's lock): an empty uuid is a new one, as libvirt's
// parser makes it; a UUID that differs from the one name is defined (or
// running) with, or that another domain holds, is refused with libvirt's
// message. running are the domains running now, transient ones included.
// The index entry is written before the definition, so a crash between
// the two leaves at worst a stale entry.
func (s *Store) ClaimUUID(name, uuid string, running []Identity) (string, error) {
	unlock, err := s.lockIndex()
	if err != nil {
		return "", err
	}
	defer unlock()
	return s.claimUUID(name, uuid, running)
}

// claimUUID is ClaimUUID with the index's lock held.
func (s *Store) claimUUID(name, uuid string, running []Identity) (string, error) {
	own := s.DefinedUUID(name)
	for _, r := range running {
		if r.Name == name && own == "" {
			own = r.UUID
		}
	}
	if uuid == "" {
		uuid = backend.NewUUID()
	}
	if own != "" && normUUID(own) != normUUID(uuid) {
		return "", backend.OperationFailed("domain '%s' already exists with uuid %s", name, own)
	}
	holder, held := s.NameOfUUID(uuid)
	for _, r := range running {
		if !held && normUUID(r.UUID) == normUUID(uuid) {
			holder, held = r.Name, true
		}
	}
	if held && holder != name {
		return "", backend.OperationFailed("domain '%s' is already defined with uuid %s", holder, uuid)
	}
	if !held {
		if err := s.record(uuid, name); err != nil {
			return "", err
		}
	}
	return uuid, nil
}

// record notes in the index that name holds uuid (the caller holds the index's lock),
// compacting the index when it has grown.
func (s *Store) record(uuid, name string) error {
	size, err := fsutil.Append(s.indexPath(), []byte(normUUID(uuid)+" "+name+"\n"), 0o600)
	if err != nil {
		return backend.OperationFailed("cannot index the UUID of '%s': %v", name, err)
	}
	if size > indexCompactAt {
		s.compactIndex()
	}
	return nil
}

// compactIndex rewrites the index with the entries that still hold (the
// caller holds the index's lock). It is only a hint's upkeep: on failure
// the index stays as it was.
func (s *Store) compactIndex() {
	b, err := os.ReadFile(s.indexPath())
	if err != nil {
		return
	}
	lines := strings.Split(string(b), "\n")
	settled := map[string]bool{}
	var out strings.Builder
	for i := len(lines) - 1; i >= 0; i-- { // the latest confirmed entry of each UUID, as NameOfUUID reads it
		uuid, name, ok := strings.Cut(lines[i], " ")
		if ok && !settled[uuid] && normUUID(s.DefinedUUID(name)) == uuid {
			settled[uuid] = true
			out.WriteString(lines[i] + "\n")
		}
	}
	_ = fsutil.WriteAtomic(s.indexPath(), []byte(out.String()), 0o600)
}

// MarshalDomain formats a domain definition (libvirtxml), ending with a
// newline as libvirt's files do.
func MarshalDomain(d *libvirtxml.Domain) (string, error) {
	s, err := d.Marshal()
	if err != nil {
		return "", backend.Internal("cannot format the domain XML: %v", err)
	}
	return s + "\n", nil
}

// A Definition is a domain ready to be stored: parsed and checked by its
// driver, and formatted (a driver that formatted it to check what parsing
// dropped passes that text on rather than format it twice).
type Definition struct {
	Domain *libvirtxml.Domain
	XML    string // Domain as MarshalDomain formats it
}

// NewDefinition formats dom for DefineDomain.
func NewDefinition(dom *libvirtxml.Domain) (Definition, error) {
	out, err := MarshalDomain(dom)
	return Definition{Domain: dom, XML: out}, err
}

// DefineDomain stores def the way every driver defines a domain: under
// the name's lock, after ClaimUUID with the domains running now (running
// lists them), atomically. A domain without a UUID gets the one it claims.
func (s *Store) DefineDomain(def Definition, running func() ([]Identity, error)) error {
	dom := def.Domain
	// The index's lock is held until the definition is written: no other
	// name claims the UUID meanwhile.
	unlock, err := s.lock(dom.Name, indexKey)
	if err != nil {
		return err
	}
	defer unlock()
	ids, err := running()
	if err != nil {
		return err
	}
	uuid, err := s.claimUUID(dom.Name, dom.UUID, ids)
	if err != nil {
		return err
	}
	if uuid != dom.UUID {
		dom.UUID = uuid
		if def, err = NewDefinition(dom); err != nil {
			return err
		}
	}
	return s.Write(dom.Name, def.XML)
}
