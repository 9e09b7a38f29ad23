package shell

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/commands"
)

// runner runs chains of commands with virsh's batch rules: every command
// runs even after one fails, and the exit status is the last command's;
// with errexit the chain stops at the first failure.
type runner struct {
	env     *commands.Env
	timing  bool
	errexit bool
}

func status(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

// runString runs one command string (`virtsh 'cmd1; cmd2'`). As in virsh,
// the whole string is parsed first: a syntax error runs nothing.
func (r *runner) runString(ctx context.Context, s string) int {
	cmds, err := Split(s)
	if err != nil {
		commands.ReportError(r.env, err)
		return 1
	}
	return r.runChain(ctx, cmds)
}

// runChain checks every command of the chain, then runs them.
func (r *runner) runChain(ctx context.Context, cmds [][]string) int {
	for _, argv := range cmds {
		if err := commands.Check(r.env, argv); err != nil {
			commands.ReportError(r.env, err)
			return 1
		}
	}
	ok := true
	for _, argv := range cmds {
		ok = commands.Run(ctx, r.env, argv, r.timing)
		if r.env.Exit || (!ok && r.errexit) {
			break
		}
	}
	return status(ok)
}

// runReader runs the commands read from a non-terminal standard input, one
// line at a time like virsh's shell (a line with a syntax error is reported
// and skipped), but without prompts or banner.
func (r *runner) runReader(ctx context.Context, in io.Reader) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	code := 0
	for sc.Scan() {
		code = r.runString(ctx, sc.Text())
		if r.env.Exit || (code != 0 && r.errexit) {
			return code
		}
	}
	if err := sc.Err(); err != nil {
		commands.ReportError(r.env, backend.Plain(backend.CodeOperationFailed, "reading standard input: %v", err))
		return 1
	}
	return code
}

// interactive is the shell on a terminal: virsh's banner and prompt, one
// line at a time.
func (r *runner) interactive(ctx context.Context) int {
	env := r.env
	if !env.Quiet {
		fmt.Fprint(env.Out, "Welcome to virtsh, the virtualization interactive terminal.\n\n"+
			"Type:  'help' for help with commands\n       'quit' to quit\n\n")
	}
	prompt := "virtsh # "
	if env.Session.ReadOnly {
		prompt = "virtsh > "
	}
	sc := bufio.NewScanner(env.In)
	code := 0
	for {
		fmt.Fprint(env.Out, prompt)
		if !sc.Scan() {
			fmt.Fprintln(env.Out)
			return code
		}
		code = r.runString(ctx, sc.Text())
		if env.Exit {
			return code
		}
	}
}
