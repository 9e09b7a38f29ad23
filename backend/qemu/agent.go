package qemu

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// errNoReply: the guest agent took the command but did not answer in time.
var errNoReply = errors.New("no reply from the guest agent")

// agentCommand sends one command to the guest agent on its channel's
// socket and returns what it returned.
func agentCommand(path string, cmd json.RawMessage, timeout time.Duration) (json.RawMessage, error) {
	if path == "" {
		return nil, backend.ConfigUnsupported("the domain has no guest agent channel (<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>)")
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, backend.OperationFailed("cannot connect to the guest agent: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(append(append([]byte{}, cmd...), '\n')); err != nil {
		return nil, backend.OperationFailed("cannot send to the guest agent: %v", err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return nil, errNoReply
	}
	var reply struct {
		Return json.RawMessage `json:"return"`
		Error  *struct {
			Class string `json:"class"`
			Desc  string `json:"desc"`
		} `json:"error"`
	}
	if err := json.Unmarshal(line, &reply); err != nil {
		return nil, backend.OperationFailed("bad reply from the guest agent: %v", err)
	}
	if reply.Error != nil {
		return nil, backend.OperationFailed("guest agent: %s", reply.Error.Desc)
	}
	return reply.Return, nil
}
