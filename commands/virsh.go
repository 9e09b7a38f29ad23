package commands

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Commands of the "Virsh itself" group (virsh.c, vsh.c).
var virshCommands = []command{
	{"cd", newCdCmd}, {"connect", newConnectCmd}, {"echo", newEchoCmd}, {"exit", newExitCmd}, {"pwd", newPwdCmd}, {"quit", newQuitCmd},
	{"alias", newAliasCmd}, {"unalias", newUnaliasCmd}, {"help", newHelpCmd},
}

func newQuitCmd(env *Env) *cobra.Command { return newLeaveCmd(env, "quit") }
func newExitCmd(env *Env) *cobra.Command { return newLeaveCmd(env, "exit") }

func newLeaveCmd(env *Env, name string) *cobra.Command {
	return &cobra.Command{
		Use:   name,
		Short: "quit this interactive terminal",
		RunE: func(*cobra.Command, []string) error {
			env.Exit = true
			return nil
		},
	}
}

func newEchoCmd(env *Env) *cobra.Command {
	var o struct{ shell, xml, err bool }
	cmd := &cobra.Command{
		Use:   "echo",
		Short: "echo arguments. Used for internal testing.",
		Long:  "Echo back arguments, possibly with quoting. Used for internal testing.",
		Args:  cobra.ArbitraryArgs,
	}
	cmd.Flags().BoolVar(&o.shell, "shell", false, "escape for shell use")
	cmd.Flags().BoolVar(&o.xml, "xml", false, "escape for XML use")
	cmd.Flags().BoolVar(&o.err, "err", false, "output to stderr")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		words := make([]string, len(args))
		for i, a := range args {
			if o.xml {
				var b strings.Builder
				xml.EscapeText(&b, []byte(a))
				a = b.String()
			}
			if o.shell {
				a = shellQuote(a)
			}
			words[i] = a
		}
		w := env.Out
		if o.err {
			w = env.Err
		}
		// No newline: the line end is the one virsh prints after every
		// command (so with -q, echo's output has none, as in virsh).
		_, err := io.WriteString(w, strings.Join(words, " "))
		return err
	}
	return cmd
}

// shellQuote quotes a word for a POSIX shell the way virsh's echo --shell
// does: unchanged when it holds only safe characters, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/+@%=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func newPwdCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "pwd",
		Short: "print the current directory",
		Long:  "Print the current directory.",
		RunE: func(*cobra.Command, []string) error {
			dir, err := os.Getwd()
			if err != nil {
				return userError("", "pwd: cannot get current directory: %v", err)
			}
			env.Out.Write([]byte(dir + "\n"))
			return nil
		},
	}
}

func newCdCmd(env *Env) *cobra.Command {
	var o struct{ dir string }
	cmd := &cobra.Command{
		Use:   "cd",
		Short: "change the current directory",
		Long:  "Change the current directory.",
	}
	arg(cmd, &o.dir, "dir", "directory to switch to (default: home or else root)", false)
	cmd.RunE = func(*cobra.Command, []string) error {
		if !env.Interactive {
			return userError("", "cd: command valid only in interactive mode")
		}
		dir := o.dir
		if dir == "" {
			if dir = os.Getenv("HOME"); dir == "" {
				dir = "/"
			}
		}
		if err := os.Chdir(dir); err != nil {
			return userError("", "cd: %s: %s", errnoText(err), dir)
		}
		return nil
	}
	return cmd
}

func newConnectCmd(env *Env) *cobra.Command {
	var o struct {
		name     string
		readonly bool
	}
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "(re)connect to hypervisor",
		Long:  "Connect to local hypervisor. This is built-in command after shell start up.",
	}
	arg(cmd, &o.name, "name", "hypervisor connection URI", false)
	cmd.Flags().BoolVar(&o.readonly, "readonly", false, "read-only connection")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		uri := o.name
		if uri == "" {
			uri = env.Session.URI
		}
		return env.Session.Connect(c.Context(), uri, o.readonly || env.Session.ReadOnly)
	}
	return cmd
}

// errnoText is strerror's text for err ("No such file or directory").
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		return strings.ToUpper(msg[:1]) + msg[1:]
	}
	return err.Error()
}
