package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
)

// Aliases are the user's command aliases (`alias NAME 'command line'`),
// kept in $XDG_CONFIG_HOME/virtsh/aliases, one "NAME LINE" per line. The
// shell expands them in interactive and batch mode alike.
type Aliases map[string]string

var aliasName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) }) // compiled when first used, not at every start

// AliasFile is the path of the aliases file.
func AliasFile() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "virtsh", "aliases")
}

// LoadAliases reads the aliases file; a missing file means no aliases.
func LoadAliases() (Aliases, error) {
	a := Aliases{}
	b, err := os.ReadFile(AliasFile())
	if os.IsNotExist(err) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if name, line, ok := strings.Cut(strings.TrimSpace(l), " "); ok && aliasName().MatchString(name) {
			a[name] = strings.TrimSpace(line)
		}
	}
	return a, nil
}

func (a Aliases) save() error {
	names := a.names()
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", n, a[n])
	}
	path := AliasFile()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return fsutil.WriteAtomic(path, []byte(b.String()), 0o600)
}

func (a Aliases) names() []string {
	names := make([]string, 0, len(a))
	for n := range a {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func newAliasCmd(env *Env) *cobra.Command {
	var o struct{ name, line string }
	cmd := &cobra.Command{
		Use:   "alias",
		Short: "list or define command aliases",
		Long: "Without arguments, list the aliases. With NAME and a command line, define NAME as that line:\n" +
			"    `alias rs 'destroy web; start web'`, then `rs` runs both; words after an alias are\n" +
			"    appended to its last command. Aliases are kept in $XDG_CONFIG_HOME/virtsh/aliases.",
	}
	arg(cmd, &o.name, "name", "alias name", false)
	arg(cmd, &o.line, "command", "command line the alias stands for", false)
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		switch {
		case o.name == "":
			for _, n := range env.Aliases.names() {
				fmt.Fprintf(env.Out, "alias %s='%s'\n", n, strings.ReplaceAll(env.Aliases[n], "'", `'\''`))
			}
			return nil
		case o.line == "":
			line, ok := env.Aliases[o.name]
			if !ok {
				return userError(backend.CodeNotFound, "no alias named '%s'", o.name)
			}
			fmt.Fprintf(env.Out, "%s\n", line)
			return nil
		case !aliasName().MatchString(o.name):
			return userError("", "invalid alias name '%s': use letters, digits, '_', '.' and '-'", o.name)
		case isCommand(o.name):
			return userError("", "cannot alias '%s': it is a command", o.name)
		}
		env.Aliases[o.name] = o.line
		if err := env.Aliases.save(); err != nil {
			delete(env.Aliases, o.name)
			return userError(backend.CodeOperationFailed, "cannot save alias '%s': %v", o.name, err)
		}
		return nil
	}
	return cmd
}

func newUnaliasCmd(env *Env) *cobra.Command {
	var o struct{ name string }
	cmd := &cobra.Command{
		Use:   "unalias",
		Short: "remove a command alias",
		Long:  "Remove the alias NAME.",
	}
	arg(cmd, &o.name, "name", "alias name", true)
	cmd.RunE = func(*cobra.Command, []string) error {
		line, ok := env.Aliases[o.name]
		if !ok {
			return userError(backend.CodeNotFound, "no alias named '%s'", o.name)
		}
		delete(env.Aliases, o.name)
		if err := env.Aliases.save(); err != nil {
			env.Aliases[o.name] = line
			return userError(backend.CodeOperationFailed, "cannot remove alias '%s': %v", o.name, err)
		}
		return nil
	}
	return cmd
}
