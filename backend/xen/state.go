package xen

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

// record is what virtsh remembers of a domain between invocations, as
// libvirt's driver keeps it in memory: the state it last put the domain
// in and why (Xen keeps no reasons), so that domstate --reason can say
// "paused (user)" or "shut off (destroyed)".
type record struct {
	State  backend.DomainState `json:"state"`
	Reason int                 `json:"reason"`
}

func (c *Conn) recordPath(name string) string {
	return filepath.Join(c.dirs.Run, "state", name+".json")
}

// readRecord returns the domain's record; ok is false when there is none.
func (c *Conn) readRecord(name string) (record, bool) {
	var r record
	b, err := os.ReadFile(c.recordPath(name))
	if err != nil || json.Unmarshal(b, &r) != nil {
		return record{}, false
	}
	return r, true
}

func (c *Conn) writeRecord(name string, state backend.DomainState, reason int) error {
	b, _ := json.Marshal(record{State: state, Reason: reason})
	path := c.recordPath(name)
	// Runtime state: written atomically, not synced (see
	// fsutil.WriteVolatile); its directory is made on first use.
	err := fsutil.WriteVolatile(path, b, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			err = fsutil.WriteVolatile(path, b, 0o600)
		}
	}
	if err != nil {
		return backend.OperationFailed("cannot save the state of domain '%s': %v", name, err)
	}
	return nil
}

// cfgPath is where the xl configuration of a running domain is written.
func (c *Conn) cfgPath(name string) string {
	return filepath.Join(c.dirs.Run, name+".cfg")
}

// stopped forgets a domain's runtime files after it stopped, keeping
// the reason it stopped for.
func (c *Conn) stopped(name string, reason int) error {
	os.Remove(c.cfgPath(name))
	if err := c.live.Remove(name); err != nil {
		return err
	}
	return c.writeRecord(name, backend.DomainShutoff, reason)
}

// forget removes every runtime file of a domain that no longer exists
// (a transient domain that stopped).
func (c *Conn) forget(name string) {
	os.Remove(c.cfgPath(name))
	c.live.Remove(name)
	os.Remove(c.recordPath(name))
}
