package qemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

// status is a domain's runtime state, kept in RUN/NAME.status by the
// supervisor (atomically) and read by every virtsh process. It outlives
// the run of a persistent domain so that domstate --reason can say why
// it stopped.
type status struct {
	ID            int                 `json:"id"`
	State         backend.DomainState `json:"state"`
	Reason        int                 `json:"reason"`
	SupervisorPID int                 `json:"supervisor_pid,omitempty"`
	QEMUPID       int                 `json:"qemu_pid,omitempty"`
	Transient     bool                `json:"transient,omitempty"`
	Autodestroy   int                 `json:"autodestroy_pid,omitempty"`
	Taps          []string            `json:"taps,omitempty"`
	Started       time.Time           `json:"started"`
}

func (c *Conn) statusPath(name string) string { return c.runPath(name, ".status") }

// liveXMLPath holds the definition a running domain was started with,
// with its id and the paths QEMU chose (ptys) filled in.
func (c *Conn) liveXMLPath(name string) string { return c.runPath(name, ".xml") }

func (c *Conn) controlPath(name string) string { return c.runPath(name, ".ctl") }

func (c *Conn) logPath(name string) string { return filepath.Join(c.dirs.Log, name+".log") }

// readStatus returns the domain's runtime status; ok is false when it
// has none (never started, or transient and gone). A status claiming a
// run whose QEMU is gone, with no supervisor left to record it, reads as
// shut off (crashed): QEMU died with nobody watching.
func (c *Conn) readStatus(name string) (st status, ok bool, err error) {
	b, err := os.ReadFile(c.statusPath(name))
	if errors.Is(err, os.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, backend.OperationFailed("cannot read the state of domain '%s': %v", name, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, false, backend.OperationFailed("corrupt state file %s: %v", c.statusPath(name), err)
	}
	if st.State.Active() && !qemuAlive(st.QEMUPID, name) && !supervisorAlive(st.SupervisorPID, name) {
		st.State, st.Reason = backend.DomainShutoff, backend.ShutoffCrashed
		st.ID = -1
	}
	return st, true, nil
}

func (c *Conn) writeStatus(name string, st status) error {
	b, _ := json.Marshal(st)
	if err := fsutil.WriteVolatile(c.statusPath(name), b, 0o600); err != nil {
		return backend.OperationFailed("cannot save the state of domain '%s': %v", name, err)
	}
	return nil
}

// runtimeNames lists the domains with a runtime status.
func (c *Conn) runtimeNames() ([]string, error) {
	entries, err := os.ReadDir(c.dirs.Run)
	if err != nil {
		return nil, backend.OperationFailed("cannot list %s: %v", c.dirs.Run, err)
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".status"); ok && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	return names, nil
}

// cmdlineHas reports whether process pid runs with an argument containing
// want: a pid alone may have been reused by another program.
func cmdlineHas(pid int, want string) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte(want))
}

// processGone reports whether pid has exited (a zombie counts as gone).
func processGone(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] == 'Z'
	}
	return false
}

// qemuAlive reports whether pid is the QEMU running domain name.
func qemuAlive(pid int, name string) bool {
	return !processGone(pid) && cmdlineHas(pid, "guest="+strings.ReplaceAll(name, ",", ",,")+",")
}

func supervisorAlive(pid int, name string) bool {
	return !processGone(pid) && cmdlineHas(pid, supervisorMode+"\x00") && cmdlineHas(pid, "\x00"+name+"\x00")
}

// nextID allocates a running domain's id: one more than the last, as
// libvirt numbers them, kept in RUN/ids.
func (c *Conn) nextID() (int, error) {
	unlock, err := fsutil.Lock(filepath.Join(c.dirs.Run, "ids.lock"))
	if err != nil {
		return 0, backend.OperationFailed("%v", err)
	}
	defer unlock()
	path := filepath.Join(c.dirs.Run, "ids")
	b, _ := os.ReadFile(path)
	last, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	id := last + 1
	if err := fsutil.WriteVolatile(path, []byte(strconv.Itoa(id)), 0o600); err != nil {
		return 0, backend.OperationFailed("cannot allocate a domain id: %v", err)
	}
	return id, nil
}
