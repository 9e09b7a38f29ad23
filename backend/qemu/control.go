package qemu

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// The control protocol between virtsh and a domain's supervisor: one
// JSON request line per connection on RUN/NAME.ctl, one JSON response
// line back.

// Operations of the control protocol.
const (
	opDestroy  = "destroy"
	opShutdown = "shutdown"
	opReboot   = "reboot"
	opReset    = "reset"
	opSuspend  = "suspend"
	opResume   = "resume"
	opQMP      = "qmp"     // a QMP command, as JSON
	opMonitor  = "monitor" // a user's QMP command (its whole reply) or HMP line
	opAgent    = "agent"   // a guest agent command, as JSON
	opSetMem   = "setmem"
	// opDeviceDel unplugs device Line (device_del) and waits up to
	// Timeout seconds for the guest to release it (DEVICE_DELETED).
	opDeviceDel = "device_del"
	opPlugNIC   = "plug_nic"   // Command: a nicPlug
	opUnplugNIC = "unplug_nic" // Command: a nicUnplug
)

type request struct {
	Op       string          `json:"op"`
	Graceful bool            `json:"graceful,omitempty"`
	Mode     string          `json:"mode,omitempty"` // shutdown/reboot: acpi or agent
	Command  json.RawMessage `json:"command,omitempty"`
	HMP      bool            `json:"hmp,omitempty"`  // monitor: Line is a human monitor command
	Line     string          `json:"line,omitempty"` // monitor: the human monitor command
	KiB      uint64          `json:"kib,omitempty"`
	Timeout  int             `json:"timeout_s,omitempty"` // agent: seconds to wait (0: the default)
	Block    bool            `json:"block,omitempty"`     // agent: wait however long it takes
	NoWait   bool            `json:"no_wait,omitempty"`   // agent: return once the command is sent
}

type response struct {
	Code   backend.Code    `json:"code,omitempty"`
	Error  string          `json:"error,omitempty"`
	Return json.RawMessage `json:"return,omitempty"`
}

func errorResponse(err error) response {
	return response{Code: backend.CodeOf(err), Error: err.Error()}
}

func (r response) err() error {
	if r.Error == "" {
		return nil
	}
	return &backend.Error{Code: r.Code, Msg: r.Error}
}

// errNoSupervisor means nobody answers on the control socket.
var errNoSupervisor = errors.New("no supervisor")

// callSupervisor sends req to the supervisor listening on path and waits
// up to wait for its answer.
func callSupervisor(path string, req request, wait time.Duration) (json.RawMessage, error) {
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, errNoSupervisor
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	b, _ := json.Marshal(req)
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return nil, errNoSupervisor
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadBytes('\n')
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, backend.OperationFailed("the domain's supervisor did not answer within %v", wait)
		}
		// The supervisor died with the request unanswered.
		return nil, errNoSupervisor
	}
	var resp response
	if err := json.Unmarshal(line, &resp); err != nil {
		return nil, backend.Internal("bad answer from the domain's supervisor: %v", err)
	}
	return resp.Return, resp.err()
}
