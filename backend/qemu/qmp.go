package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
	"github.com/virtsh/virtsh/backend"
)

// monitor is the part of go-qemu's qmp.Monitor virtsh uses; the
// supervisor's tests replace it with a fake.
type monitor interface {
	Run(cmd []byte) ([]byte, error)
	Events(ctx context.Context) (<-chan qmp.Event, error)
	Disconnect() error
}

// qmpTimeout bounds every QMP command: a hung QEMU must not hang virtsh.
const qmpTimeout = 30 * time.Second

// connectQMP connects to QEMU's QMP socket, waiting up to wait for it to
// appear while alive() holds (QEMU creates the socket as it starts).
func connectQMP(path string, wait time.Duration, alive func() bool) (*qmp.SocketMonitor, error) {
	deadline := time.Now().Add(wait)
	for {
		mon, err := qmp.NewSocketMonitor("unix", path, 2*time.Second)
		if err == nil {
			if err = connectWithTimeout(mon, 10*time.Second); err == nil {
				return mon, nil
			}
			mon.Disconnect()
		}
		if time.Now().After(deadline) || !alive() {
			return nil, err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func connectWithTimeout(mon *qmp.SocketMonitor, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- mon.Connect() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		mon.Disconnect()
		return errors.New("QMP handshake timed out")
	}
}

// qmpReply is QEMU's answer to one command.
type qmpReply struct {
	Return json.RawMessage `json:"return"`
}

// runQMP runs one QMP command with arguments (nil for none) and returns
// what it returned.
func runQMP(mon monitor, execute string, args any) (json.RawMessage, error) {
	cmd := map[string]any{"execute": execute}
	if args != nil {
		cmd["arguments"] = args
	}
	b, _ := json.Marshal(cmd)
	return runRawQMP(mon, b)
}

// runRawQMP runs a command given as QMP JSON, with a time limit, and
// returns what it returned.
func runRawQMP(mon monitor, cmd []byte) (json.RawMessage, error) {
	b, err := runTimed(mon, cmd)
	if errors.Is(err, errQMPTimeout) {
		return nil, backend.OperationFailed("QEMU did not answer %s within %v", commandName(cmd), qmpTimeout)
	}
	if err != nil {
		return nil, backend.OperationFailed("QEMU refused %s: %v", commandName(cmd), err)
	}
	var reply qmpReply
	if err := json.Unmarshal(b, &reply); err != nil {
		return nil, backend.Internal("cannot parse QEMU's reply to %s: %v", commandName(cmd), err)
	}
	if reply.Return == nil {
		reply.Return = json.RawMessage("{}")
	}
	return reply.Return, nil
}

// errQMPTimeout: QEMU did not answer within qmpTimeout.
var errQMPTimeout = errors.New("no answer")

// runTimed runs cmd on mon and returns QEMU's whole reply, or go-qemu's
// error (QEMU's error reply, or a broken connection), within qmpTimeout.
func runTimed(mon monitor, cmd []byte) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := mon.Run(cmd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-time.After(qmpTimeout):
		return nil, fmt.Errorf("%w within %v", errQMPTimeout, qmpTimeout)
	}
}

func commandName(cmd []byte) string {
	var c struct {
		Execute string `json:"execute"`
	}
	if json.Unmarshal(cmd, &c) == nil && c.Execute != "" {
		return c.Execute
	}
	return "the command"
}

// pumpEvents drains the monitor's event channel into a buffered one:
// go-qemu's channel is unbuffered and shared with command replies, so an
// event nobody reads would block the next command's reply forever.
func pumpEvents(mon monitor) (<-chan qmp.Event, error) {
	in, err := mon.Events(context.Background())
	if err != nil {
		return nil, err
	}
	out := make(chan qmp.Event, 1024)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- ev:
			default:
				logf("dropping QMP event %s: the event queue is full", ev.Event)
			}
		}
	}()
	return out, nil
}

// logf writes a line to the supervisor's log (its standard error).
func logf(format string, args ...any) {
	ts := time.Now().UTC().Format("2006-01-02 15:04:05.000")
	b := []byte(ts + " virtsh: ")
	b = append(b, []byte(fmt.Sprintf(format, args...))...)
	b = append(b, '\n')
	os.Stderr.Write(b)
}
