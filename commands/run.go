package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virtsh/virtsh/format"
)

// Run executes one command line (a command name and its arguments) on a
// fresh command tree and reports as virsh does: errors on stderr as
// "error: ..." lines (or one JSON object with -o json), then the blank line
// virsh prints after every command (or the timing with -t). It returns
// the command's exit status: 0, 1, or the status of a program the command
// ran for the user (lxc-enter-namespace).
func Run(ctx context.Context, env *Env, argv []string, timing bool) int {
	if len(argv) == 0 {
		return 0
	}
	env.debugf("command: %s", strings.Join(argv, " "))
	defer func(f format.Format) { env.Format = f }(env.Format) // -o after a command is for it alone
	name := argv[0]
	root := newRootFor(env, name)
	if Lookup(root, name) == nil {
		ReportError(env, userError("", "unknown command: '%s'", name))
		return 1
	}
	start := time.Now()
	root.SetArgs(argv)
	err := root.ExecuteContext(ctx)
	elapsed := time.Since(start)
	status := exitStatus(err)
	if err != nil && status == 1 {
		ReportError(env, err)
	}
	switch {
	case name == "quit" || name == "exit":
	case timing:
		fmt.Fprintf(env.Out, "\n(Time: %.3f ms)\n\n", float64(elapsed.Microseconds())/1000)
	case env.Format == format.Text:
		env.info("\n")
	}
	return status
}

// exitStatuser is an error that carries the status virtsh exits with: a
// program run for the user failed with its own status, which is reported
// by that status alone, not by an error line.
type exitStatuser interface{ ExitStatus() int }

func exitStatus(err error) int {
	var es exitStatuser
	switch {
	case err == nil:
		return 0
	case errors.As(err, &es):
		return es.ExitStatus()
	}
	return 1
}

// Check parses argv without running it, so that a chain with a syntax
// error (unknown command or option, missing argument) runs nothing, as in
// virsh, which parses the whole chain first.
func Check(env *Env, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	defer func(f format.Format) { env.Format = f }(env.Format) // parsing -o sets it
	root := newRootFor(env, argv[0])
	cmd := Lookup(root, argv[0])
	if cmd == nil || argv[0] == "completion" {
		return userError("", "unknown command: '%s'", argv[0])
	}
	cmd.InitDefaultHelpFlag()
	if err := cmd.ParseFlags(argv[1:]); err != nil {
		return flagError(cmd, err)
	}
	if help, _ := cmd.Flags().GetBool("help"); help {
		return nil
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// ReportError prints err on stderr: virsh's "error: " lines, or with JSON
// output one {"error": {"code", "message"}} object.
func ReportError(env *Env, err error) {
	lines, code := ErrorLines(err)
	if env.Format == format.JSON {
		format.ErrorObject(env.Err, string(code), strings.Join(lines, ": "))
		return
	}
	for _, l := range lines {
		fmt.Fprintf(env.Err, "error: %s\n", l)
	}
}
