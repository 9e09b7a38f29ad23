package store

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"libvirt.org/go/libvirtxml"
)

// Identity is a domain's name and UUID.
type Identity struct{ Name, UUID string }

// Domain definitions follow libvirt's identity rules
// (virDomainObjListAdd): a name keeps its UUID, and no two domains share
// one. ClaimUUID enforces them for every driver. An index of one small
// file per UUID (.uuids/ in the definitions' directory) answers in O(1)
// with thousands of domains; every entry is checked against the
// definition it names, which stays the truth.

var uuidElem = regexp.MustCompile(`<uuid>\s*([^<\s]+)\s*</uuid>`)

func normUUID(u string) string { return strings.ToLower(strings.ReplaceAll(u, "-", "")) }

func (s *Store) uuidIndex(uuid string) string {
	return filepath.Join(s.dir, ".uuids", normUUID(uuid))
}

// UUIDOf is the UUID in a domain XML document, "" when it has none.
func UUIDOf(doc string) string {
	if m := uuidElem.FindStringSubmatch(doc); m != nil {
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

// NameOfUUID returns the defined domain holding uuid.
func (s *Store) NameOfUUID(uuid string) (string, bool) {
	b, err := os.ReadFile(s.uuidIndex(uuid))
	if err != nil {
		return "", false
	}
	name := strings.TrimSpace(string(b))
	if normUUID(s.DefinedUUID(name)) != normUUID(uuid) {
		return "", false // a stale hint
	}
	return name, true
}

// ClaimUUID settles the UUID of the domain about to be stored as name
// (the caller holds name's lock): an empty uuid is a new one, as libvirt's
// parser makes it; a UUID that differs from the one name is defined (or
// running) with, or that another domain holds, is refused with libvirt's
// message. running are the domains running now, transient ones included.
// The index entry is written before the definition, so a crash between
// the two leaves at worst a stale hint.
func (s *Store) ClaimUUID(name, uuid string, running []Identity) (string, error) {
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
	if err := os.MkdirAll(filepath.Join(s.dir, ".uuids"), 0o700); err != nil {
		return "", backend.OperationFailed("cannot index the UUID of '%s': %v", name, err)
	}
	if err := os.WriteFile(s.uuidIndex(uuid), []byte(name), 0o600); err != nil {
		return "", backend.OperationFailed("cannot index the UUID of '%s': %v", name, err)
	}
	return uuid, nil
}

// releaseUUID drops the index entry of name's UUID (Remove calls it).
func (s *Store) releaseUUID(name string) {
	if uuid := s.DefinedUUID(name); uuid != "" {
		if holder, ok := s.NameOfUUID(uuid); ok && holder == name {
			if err := os.Remove(s.uuidIndex(uuid)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return // a stale hint does no harm: NameOfUUID checks it
			}
		}
	}
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

// DefineDomain stores dom, parsed and checked by its driver, the way every
// driver defines a domain: under the name's lock, after ClaimUUID with the
// domains running now (running lists them), atomically.
func (s *Store) DefineDomain(dom *libvirtxml.Domain, running func() ([]Identity, error)) error {
	unlock, err := s.Lock(dom.Name)
	if err != nil {
		return err
	}
	defer unlock()
	ids, err := running()
	if err != nil {
		return err
	}
	if dom.UUID, err = s.ClaimUUID(dom.Name, dom.UUID, ids); err != nil {
		return err
	}
	out, err := MarshalDomain(dom)
	if err != nil {
		return err
	}
	return s.Write(dom.Name, out)
}
