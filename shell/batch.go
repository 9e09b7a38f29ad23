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

// runChain expands aliases, checks every command of the chain, then runs
// them.
func (r *runner) runChain(ctx context.Context, cmds [][]string) int {
	cmds, err := expandAliases(r.env, cmds)
	if err != nil {
		commands.ReportError(r.env, err)
		return 1
	}
	for _, argv := range cmds {
		if err := commands.Check(r.env, argv); err != nil {
			commands.ReportError(r.env, err)
			return 1
		}
	}
	code := 0
	for _, argv := range cmds {
		code = commands.Run(ctx, r.env, argv, r.timing)
		if r.env.Exit || (code != 0 && r.errexit) {
			break
		}
	}
	return code
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

// maxAliasDepth bounds alias expansion, so that aliases naming each other
// cannot loop.
const maxAliasDepth = 10

// expandAliases replaces each command whose name is an alias (and not a
// command) by the alias's commands; words after the alias are appended to
// its last command.
func expandAliases(env *commands.Env, cmds [][]string) ([][]string, error) {
	for depth := 0; ; depth++ {
		var out [][]string
		expanded := false
		for _, argv := range cmds {
			line, ok := env.Aliases[argv[0]]
			if !ok {
				out = append(out, argv)
				continue
			}
			sub, err := Split(line)
			if err != nil || len(sub) == 0 {
				return nil, fmt.Errorf("alias '%s' is not a valid command line: %v", argv[0], err)
			}
			sub[len(sub)-1] = append(sub[len(sub)-1], argv[1:]...)
			out = append(out, sub...)
			expanded = true
		}
		if !expanded {
			return out, nil
		}
		if depth == maxAliasDepth {
			return nil, fmt.Errorf("alias '%s' expands too deeply (aliases calling each other?)", cmds[0][0])
		}
		cmds = out
	}
}
