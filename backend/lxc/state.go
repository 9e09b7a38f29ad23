package lxc

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/backend/lxc/cgroup"
)

// runState is a container's runtime state, kept in the run directory as
// NAME.json beside its live XML (NAME.xml), so that any virtsh process,
// the controller, or a virtsh run after the controller died can manage it.
type runState struct {
	State  backend.DomainState `json:"state"`
	Reason int                 `json:"reason"`

	ControllerPID   int    `json:"controller_pid,omitempty"`
	ControllerStart uint64 `json:"controller_start,omitempty"` // start time in clock ticks: tells a reused pid
	InitPID         int    `json:"init_pid,omitempty"`
	InitStart       uint64 `json:"init_start,omitempty"`

	Console       string        `json:"console,omitempty"`        // the console pty
	ConsoleSocket string        `json:"console_socket,omitempty"` // where the controller serves it
	Staging       string        `json:"staging,omitempty"`        // mount point of the container's root
	Cgroup        *cgroup.Group `json:"cgroup,omitempty"`
	Veths         []string      `json:"veths,omitempty"` // host ends: the network driver's port records
	Transient     bool          `json:"transient,omitempty"`
	// Destroying is set by destroy before it kills init, so that the
	// controller records the reason "destroyed".
	Destroying bool `json:"destroying,omitempty"`
}

// stateFiles are the paths of one container's runtime files.
type stateFiles struct{ run, name string }

func (f stateFiles) json() string          { return filepath.Join(f.run, f.name+".json") }
func (f stateFiles) lock() string          { return filepath.Join(f.run, f.name+".state.lock") }
func (f stateFiles) log(dir string) string { return filepath.Join(dir, f.name+".log") }

// consoleSocket is the console's unix socket; names too long for a socket
// address get a short hashed one.
func (f stateFiles) consoleSocket() string {
	p := filepath.Join(f.run, f.name+".console")
	if len(p) < 100 {
		return p
	}
	return filepath.Join(f.run, "console-"+strconv.FormatUint(uint64(hash(f.name)), 16)+".sock")
}

func (f stateFiles) staging() string { return filepath.Join(f.run, "roots", f.name) }

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// readState returns the state; a missing file is a shut-off domain.
func (f stateFiles) readState() (runState, error) {
	var st runState
	b, err := os.ReadFile(f.json())
	if errors.Is(err, os.ErrNotExist) {
		return runState{State: backend.DomainShutoff}, nil
	}
	if err != nil {
		return st, backend.OperationFailed("cannot read the state of '%s': %v", f.name, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, backend.OperationFailed("corrupt state file %s: %v", f.json(), err)
	}
	return st, nil
}

func (f stateFiles) writeState(st runState) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	if err := fsutil.WriteAtomic(f.json(), append(b, '\n'), 0o600); err != nil {
		return backend.OperationFailed("cannot save the state of '%s': %v", f.name, err)
	}
	return nil
}

// update changes the state under the state lock, which is held only for
// the read-modify-write (the controller takes it too; the domain lock is
// for whole operations).
func (f stateFiles) update(fn func(*runState) error) error {
	unlock, err := fsutil.Lock(f.lock())
	if err != nil {
		return backend.OperationFailed("%v", err)
	}
	defer unlock()
	st, err := f.readState()
	if err != nil {
		return err
	}
	if err := fn(&st); err != nil {
		return err
	}
	return f.writeState(st)
}

// remove deletes the runtime files of a domain that is no longer active.
func (f stateFiles) remove() {
	for _, p := range []string{f.json(), f.lock()} {
		os.Remove(p)
	}
}

// startTime is a process's start time (field 22 of /proc/PID/stat), 0
// when the process does not exist.
func startTime(pid int) uint64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" { // a zombie has exited
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

// alive reports whether pid is still the process that started at start.
func alive(pid int, start uint64) bool {
	return pid > 0 && start != 0 && startTime(pid) == start
}

// initAlive and controllerAlive check the recorded processes.
func (st runState) initAlive() bool       { return alive(st.InitPID, st.InitStart) }
func (st runState) controllerAlive() bool { return alive(st.ControllerPID, st.ControllerStart) }

// signalInit sends sig to the container's init if it is still the
// recorded process.
func (st runState) signalInit(sig syscall.Signal) error {
	if !st.initAlive() {
		return nil
	}
	if err := syscall.Kill(st.InitPID, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return backend.OperationFailed("cannot send %v to init pid %d: %v", sig, st.InitPID, err)
	}
	return nil
}
