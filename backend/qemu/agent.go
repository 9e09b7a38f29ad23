package qemu

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// errNoReply: the guest agent took the command but did not answer in time.
var errNoReply = errors.New("no reply from the guest agent")

// agentDefaultTimeout is how long an agent command waits for its answer
// unless told otherwise (libvirt's QEMU_AGENT_WAIT_TIME).
const agentDefaultTimeout = 5 * time.Second

// agentBlockWait stands for "as long as it takes" (qemu-agent-command
// --block): a day, so that nothing waits forever.
const agentBlockWait = 24 * time.Hour

// agentWait returns how long an agent request waits for its answer:
// req.Timeout seconds, the default, or agentBlockWait with req.Block.
func agentWait(req request) time.Duration {
	switch {
	case req.Block:
		return agentBlockWait
	case req.Timeout > 0:
		return time.Duration(req.Timeout) * time.Second
	}
	return agentDefaultTimeout
}

// agentCommand sends one command to the guest agent on its channel's
// socket and returns what it returned; with noWait it returns once the
// command is sent. Like libvirt, it first synchronizes with guest-sync,
// so that an answer left over from an earlier command that timed out is
// never taken for this one's.
func agentCommand(path string, cmd json.RawMessage, wait time.Duration, noWait bool) (json.RawMessage, error) {
	if path == "" {
		return nil, backend.ConfigUnsupported("the domain has no guest agent channel (<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>)")
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, backend.OperationFailed("cannot connect to the guest agent: %v", err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	syncWait := agentDefaultTimeout
	if wait < syncWait {
		syncWait = wait
	}
	conn.SetDeadline(time.Now().Add(syncWait))
	id := rand.Int64N(1 << 52)
	syncCmd, _ := json.Marshal(map[string]any{"execute": "guest-sync", "arguments": map[string]int64{"id": id}})
	if _, err := conn.Write(append(syncCmd, '\n')); err != nil {
		return nil, backend.OperationFailed("cannot send to the guest agent: %v", err)
	}
	for {
		ret, err := agentReply(r)
		if err != nil {
			return nil, backend.OperationFailed("guest agent is not responding: %v", err)
		}
		var got int64
		if json.Unmarshal(ret, &got) == nil && got == id {
			break
		}
	}
	conn.SetDeadline(time.Now().Add(wait))
	if _, err := conn.Write(append(append([]byte{}, cmd...), '\n')); err != nil {
		return nil, backend.OperationFailed("cannot send to the guest agent: %v", err)
	}
	if noWait {
		return nil, nil
	}
	return agentReply(r)
}

// agentReply reads the agent's next reply: its "return" value, or its
// error as an error.
func agentReply(r *bufio.Reader) (json.RawMessage, error) {
	line, err := r.ReadBytes('\n')
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
	if reply.Return == nil {
		reply.Return = json.RawMessage("{}")
	}
	return reply.Return, nil
}

// AgentCommand implements backend.DomainAgent (qemu-agent-command).
func (d *domains) AgentCommand(ctx context.Context, name, command string, timeout int) (string, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(command), &probe); err != nil {
		return "", backend.InvalidArgument("cannot parse the guest agent command '%s': %v", command, err)
	}
	req := request{Op: opAgent, Command: json.RawMessage(command)}
	switch {
	case timeout == backend.AgentTimeoutBlock:
		req.Block = true
	case timeout == backend.AgentTimeoutNoWait:
		req.NoWait = true
	case timeout > 0:
		req.Timeout = timeout
	}
	ret, err := d.agent(name, req)
	if err != nil || req.NoWait {
		return "", err
	}
	return fmt.Sprintf(`{"return":%s}`, ret), nil
}

// agent runs a guest agent request through the supervisor, waiting as
// long as the request may take.
func (d *domains) agent(name string, req request) (json.RawMessage, error) {
	return d.c.live(name, req, agentWait(req)+5*time.Second)
}
