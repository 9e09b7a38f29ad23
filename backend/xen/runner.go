package xen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/virtsh/virtsh/backend"
)

// Runner runs Xen's toolstack commands (xl, xenstore-read, ...) and
// returns their standard output. Every call into the toolstack goes
// through it, so that unit tests replay recorded output.
type Runner interface {
	Run(ctx context.Context, prog string, args ...string) ([]byte, error)
}

// ToolError is a toolstack command that failed: its own error text.
type ToolError struct {
	Prog   string
	Args   []string
	Stderr string
	Err    error
}

func (e *ToolError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	return e.Prog + " " + strings.Join(e.Args, " ") + ": " + msg
}

// procXenCaps says whether this kernel runs as Xen's control domain.
var procXenCaps = "/proc/xen/capabilities"

// execRunner runs the real programs, after checking once that this host
// is a Xen dom0 with the toolstack installed.
type execRunner struct {
	once  sync.Once
	ready error
}

// hostCheck explains what is missing for the toolstack to work here.
func hostCheck() error {
	if _, err := exec.LookPath("xl"); err != nil {
		return backend.OperationFailed("cannot find Xen's toolstack: 'xl' is not in PATH (install xen-utils and run virtsh in dom0)")
	}
	b, err := os.ReadFile(procXenCaps)
	if err != nil {
		return backend.OperationFailed("this host is not a Xen dom0: cannot read %s (boot the Xen hypervisor, load xenfs and mount it on /proc/xen)", procXenCaps)
	}
	if !strings.Contains(string(b), "control_d") {
		return backend.OperationFailed("this host is not a Xen dom0: %s does not list control_d (virtsh must run in the control domain)", procXenCaps)
	}
	return nil
}

// toolTimeout bounds one toolstack command: xl create of a guest can take
// long under nested emulation, but never forever.
const toolTimeout = 10 * time.Minute

func (r *execRunner) Run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	r.once.Do(func() { r.ready = hostCheck() })
	if r.ready != nil {
		return nil, r.ready
	}
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// xl create leaves a daemon behind; never wait on pipes it inherited.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		return stdout.Bytes(), &ToolError{Prog: prog, Args: args, Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// toolFailed turns a toolstack error into the driver's error, keeping
// xl's own message.
func toolFailed(err error) error {
	var te *ToolError
	if errors.As(err, &te) {
		return backend.OperationFailed("%s", te.Error())
	}
	return err
}
