package backend

import (
	"context"
	"io"
)

// Capabilities of the QEMU driver alone (qemu-monitor-command,
// qemu-agent-command), and the display capabilities it is the first to
// offer (screenshot, send-key), which other drivers may implement too.

// DomainMonitor passes a command to a running domain's QEMU monitor.
type DomainMonitor interface {
	// MonitorCommand runs command, a QMP command as JSON or, with hmp, a
	// human monitor command line. It returns what libvirt returns: QEMU's
	// whole QMP reply as compact JSON (an error reply is a reply, not an
	// error), or the human monitor's text.
	MonitorCommand(ctx context.Context, name, command string, hmp bool) (string, error)
}

// Guest agent timeouts in libvirt's encoding (virDomainQemuAgentCommand);
// a positive timeout is in seconds.
const (
	AgentTimeoutBlock   = -2 // wait for the answer however long it takes
	AgentTimeoutDefault = -1 // the driver's default (5 s)
	AgentTimeoutNoWait  = 0  // send the command and return at once
)

// DomainAgent passes a command to a running domain's QEMU guest agent.
type DomainAgent interface {
	// AgentCommand sends command (JSON) and returns the agent's whole
	// reply as compact JSON ("" with AgentTimeoutNoWait). An error reply
	// is an error.
	AgentCommand(ctx context.Context, name, command string, timeout int) (string, error)
}

// DomainScreenshot captures a running domain's display (screenshot).
type DomainScreenshot interface {
	// Screenshot writes screen's image to w and returns its MIME type
	// (image/png, or image/x-portable-pixmap).
	Screenshot(ctx context.Context, name string, screen uint, w io.Writer) (mime string, err error)
}

// DomainSendKey presses keys on a running domain's keyboard (send-key).
type DomainSendKey interface {
	// SendKey presses keys together, given as numbers in codeset (libvirt's
	// codeset names: linux, xt, atset1, qnum, ...), holding them holdMS
	// milliseconds (0: the hypervisor's default), then releases them.
	SendKey(ctx context.Context, name, codeset string, holdMS uint, keys []uint) error
}
