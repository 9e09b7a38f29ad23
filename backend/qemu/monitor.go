package qemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// MonitorCommand implements backend.DomainMonitor (qemu-monitor-command):
// the supervisor, which owns QEMU's monitor, runs the command for us.
func (d *domains) MonitorCommand(ctx context.Context, name, command string, hmp bool) (string, error) {
	req := request{Op: opMonitor, HMP: hmp}
	if hmp {
		req.Line = command
	} else {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(command), &obj); err != nil {
			return "", backend.InvalidArgument("cannot parse the QMP command '%s': %v (give --hmp for a human monitor command)", command, err)
		}
		req.Command = json.RawMessage(command)
	}
	ret, err := d.c.live(name, req, qmpTimeout+5*time.Second)
	if err != nil {
		return "", err
	}
	if hmp {
		var text string
		if err := json.Unmarshal(ret, &text); err != nil {
			return "", backend.Internal("bad answer from the domain's supervisor: %v", err)
		}
		return text, nil
	}
	return string(ret), nil
}

// commandIDs numbers the commands passed through to QEMU, as libvirt
// numbers its own ("libvirt-N"), when the user's command has no id.
var commandIDs atomic.Int64

// monitorCommand runs a user's command on mon: a QMP command, whose
// whole reply it returns as compact JSON (an error reply included, as
// libvirt does), or a human monitor line, whose text it returns as a
// JSON string.
func monitorCommand(mon monitor, req request) (json.RawMessage, error) {
	if req.HMP {
		ret, err := runQMP(mon, "human-monitor-command", map[string]string{"command-line": req.Line})
		if err != nil {
			return nil, err
		}
		return ret, nil // a JSON string
	}
	var cmd map[string]json.RawMessage
	if err := json.Unmarshal(req.Command, &cmd); err != nil {
		return nil, backend.InvalidArgument("cannot parse the QMP command: %v", err)
	}
	if _, ok := cmd["id"]; !ok {
		cmd["id"], _ = json.Marshal(fmt.Sprintf("virtsh-%d", commandIDs.Add(1)))
	}
	b, _ := json.Marshal(cmd)
	reply, err := runTimed(mon, b)
	if errors.Is(err, errQMPTimeout) {
		return nil, backend.OperationFailed("QEMU did not answer %s within %v", commandName(b), qmpTimeout)
	}
	if qmpErrorReply(err) {
		// go-qemu turns QEMU's error reply into an error with its
		// description alone: give the reply back as QEMU sent it,
		// less the error class go-qemu dropped.
		reply, _ = json.Marshal(map[string]any{"id": json.RawMessage(cmd["id"]),
			"error": map[string]string{"class": "GenericError", "desc": err.Error()}})
	} else if err != nil {
		return nil, backend.OperationFailed("QEMU's monitor failed: %v", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, reply); err != nil {
		return nil, backend.Internal("cannot parse QEMU's reply: %v", err)
	}
	return out.Bytes(), nil
}

// qmpErrorReply reports whether err is go-qemu's rendering of QEMU's
// error reply (errors.New(desc)), rather than a broken connection.
func qmpErrorReply(err error) bool {
	return err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
		fmt.Sprintf("%T", err) == "*errors.errorString"
}
