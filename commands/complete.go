package commands

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/virtsh/virtsh/backend/keycodes"
	"github.com/virtsh/virtsh/completion"
	"github.com/virtsh/virtsh/format"
)

// Completion is attached to the tree in one place, by option name, so that
// every command that takes a --domain completes domains the same way. It is
// attached only to trees built for completion (cobra keeps flag completion
// functions in a global map, which a fresh tree per executed line would
// grow without end).

// domainFilters says which domains a command accepts; others take any.
var domainFilters = map[string]completion.DomainFilter{
	"start":    completion.InactiveDomain,
	"shutdown": completion.RunningDomain,
	"reboot":   completion.RunningDomain,
	"suspend":  completion.RunningDomain,
	"destroy":  completion.ActiveDomain,
	"reset":    completion.ActiveDomain,
	"console":  completion.ActiveDomain,
	"resume":   completion.PausedDomain,
}

var (
	activeNetworks   = true
	inactiveNetworks = false
	// networkFilters says which networks a command accepts; others take any.
	networkFilters = map[string]*bool{
		"net-start":   &inactiveNetworks,
		"net-destroy": &activeNetworks,
	}
)

// freeText lists the options whose value is something new the user makes
// up (a name, a size, a description): they complete to nothing, not to
// file names. An option in neither this list nor completerFor fails
// TestEveryOptionCompletes.
var freeText = map[string]bool{
	"name": true, "new-name": true, "newname": true, "size": true, "count": true,
	"title": true, "new-desc": true, "description": true, "desc": true,
	"memspec": true, "diskspec": true, "from": true, "parent": true,
	"echo": true, "type": true, "key": true, "level": true,
	"timeout": true, "screen": true, "holdtime": true, "keycode": true, "cmd": true, "pass-fds": true, "devname": true,
	"parent-index": true, "bridge": true, "delay": true,
	"driver": true, "serial": true, "wwn": true, "alias": true, "mac": true, "script": true, "period": true, "xpath": true, "storage": true,
}

// completerFor returns the completer of option name of command cmd.
func completerFor(env *Env, cmd *cobra.Command, name string) completion.Func {
	conn := completion.ConnFunc(env.completionConn)
	switch name {
	case "domain":
		filter := domainFilters[cmd.Name()]
		if filter == nil {
			filter = completion.AnyDomain
		}
		return completion.Domains(conn, filter)
	case "network":
		return completion.Networks(conn, networkFilters[cmd.Name()])
	case "pool":
		return completion.Pools(conn)
	case "vol":
		return completion.Volumes(conn, "pool")
	case "snapshotname", "current-name":
		return completion.Snapshots(conn)
	case "target", "path", "device":
		return completion.DiskTargets(conn)
	case "interface":
		if strings.HasPrefix(cmd.Name(), "iface-") {
			return completion.HostInterfaces(conn)
		}
		return completion.Interfaces(conn)
	case "section":
		return completion.Words("bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range", "forward",
			"forward-interface", "forward-pf", "portgroup", "dns-host", "dns-txt", "dns-srv")
	case "file", "xmlfile", "xml":
		if cmd.Name() == "screenshot" {
			return completion.Files() // a new image file
		}
		return completion.Files("xml")
	case "codeset":
		return completion.Words(keycodes.Codesets...)
	case "config":
		return completion.Files()
	case "dir":
		return completion.Directories()
	case "mode":
		if cmd.Name() == "attach-disk" {
			return completion.Words("readonly", "shareable")
		}
		return completion.CommaWords("acpi", "agent", "initctl", "signal", "paravirt")
	case "source":
		switch cmd.Name() {
		case "attach-disk":
			return completion.Files()
		case "domifaddr":
			return completion.Words("lease", "agent", "arp")
		}
		return completion.Networks(conn, nil) // attach-interface --type network; a bridge is typed
	case "targetbus":
		return completion.Words("virtio", "scsi", "sata", "ide", "usb", "xen", "fdc")
	case "sourcetype":
		return completion.Words("file", "block")
	case "subdriver":
		return completion.Words("raw", "qcow2", "vhd", "qed")
	case "cache":
		return completion.Words("default", "none", "writethrough", "writeback", "directsync", "unsafe")
	case "model":
		return completion.Words("virtio", "e1000", "rtl8139", "netfront")
	case "format":
		if strings.HasPrefix(cmd.Name(), "domxml-") {
			return completion.Words("qemu-argv", "xen-xl")
		}
		return completion.Words("raw", "qcow2")
	case "output":
		return completion.Words(format.Names()...)
	case "command":
		if cmd.Name() == "net-update" {
			return completion.Words("add", "add-first", "add-last", "delete", "modify")
		}
		return helpTopics(cmd.Root())
	}
	if cmd.Name() == "connect" && name == "name" {
		return completion.Words("test:///default", "qemu:///system", "qemu:///session", "lxc:///system", "xen:///system")
	}
	if freeText[name] {
		return completion.Nothing()
	}
	return nil
}

// helpTopics completes command names and group keywords (help's argument).
func helpTopics(root *cobra.Command) completion.Func {
	var words, descs []string
	for _, g := range root.Groups() {
		words = append(words, g.ID)
		descs = append(descs, g.Title)
	}
	for _, c := range root.Commands() {
		if !c.Hidden {
			words = append(words, c.Name())
			descs = append(descs, c.Short)
		}
	}
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for i, w := range words {
			if strings.HasPrefix(w, toComplete) {
				out = append(out, w+"\t"+descs[i])
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// NewCompletionRoot builds a command tree with every completer attached:
// the tree behind `virtsh __complete` (used by the bash, zsh and fish
// scripts) and the interactive shell's completer.
func NewCompletionRoot(env *Env) *cobra.Command {
	root := NewRoot(env)
	for _, cmd := range root.Commands() {
		attachCompletions(env, cmd)
	}
	attachCompletions(env, root)
	return root
}

func attachCompletions(env *Env, cmd *cobra.Command) {
	flags := cmd.Flags()
	if cmd == cmd.Root() {
		flags = cmd.PersistentFlags()
	}
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() == "bool" {
			return
		}
		if fn := completerFor(env, cmd, f.Name); fn != nil {
			cmd.RegisterFlagCompletionFunc(f.Name, fn)
		}
	})
	if annotationList(cmd, annotPositional) != nil {
		cmd.ValidArgsFunction = completePositional
	}
}

// completePositional completes the next positional option the user has
// not given yet, with that option's completer.
func completePositional(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var free []string
	for _, name := range annotationList(cmd, annotPositional) {
		if !cmd.Flags().Changed(name) {
			free = append(free, name)
		}
	}
	if len(args) >= len(free) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	// The words before fill their options, as the command would take
	// them: a completer may need them (a disk target is the domain's).
	for i, a := range args {
		cmd.Flags().Set(free[i], a)
	}
	fn, ok := cmd.GetFlagCompletionFunc(free[len(args)])
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return fn(cmd, args, toComplete)
}

// ResetFlags puts every option of the tree back to its default, so that a
// completion tree can be reused for the next line.
func ResetFlags(root *cobra.Command) {
	reset := func(fs *pflag.FlagSet) {
		fs.VisitAll(func(f *pflag.Flag) {
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				sv.Replace(nil)
			} else {
				f.Value.Set(f.DefValue)
			}
			f.Changed = false
		})
	}
	reset(root.PersistentFlags())
	for _, c := range root.Commands() {
		reset(c.Flags())
	}
}

// IsCompletionRequest reports whether argv is a request of a shell
// completion script (`virtsh __complete ...`) or asks for such a script
// (`virtsh completion bash`).
func IsCompletionRequest(argv []string) bool {
	return len(argv) > 0 && (argv[0] == cobra.ShellCompRequestCmd ||
		argv[0] == cobra.ShellCompNoDescRequestCmd || argv[0] == "completion")
}

// RunCompletion serves a completion request on the completion tree.
func RunCompletion(ctx context.Context, env *Env, argv []string) bool {
	root := NewCompletionRoot(env)
	root.SetArgs(argv)
	if err := root.ExecuteContext(ctx); err != nil {
		ReportError(env, err)
		return false
	}
	return true
}

// Suggestion is one completion candidate for the interactive shell.
type Suggestion struct {
	Text, Description string
}

// Completer completes command lines for the interactive shell with the
// same functions the shell scripts use. It keeps one completion tree and
// resets its options before each use.
type Completer struct {
	root *cobra.Command
	out  bytes.Buffer
}

// NewCompleter returns a completer bound to a copy of env (so that parsing
// a partial line never changes env) writing nothing to env's streams.
func NewCompleter(env *Env) *Completer {
	c := &Completer{}
	cenv := *env
	cenv.Out, cenv.Err = &c.out, io.Discard
	c.root = NewCompletionRoot(&cenv)
	c.root.SetOut(&c.out)
	c.root.SetErr(io.Discard)
	return c
}

// Complete returns the candidates for the word toComplete after the words
// already typed (the command name first).
func (c *Completer) Complete(ctx context.Context, words []string, toComplete string) []Suggestion {
	if len(words) > 0 && Lookup(c.root, words[0]) == nil {
		return nil // not a command (yet): nothing to offer
	}
	// cobra reports completion trouble (an unknown option typed so far)
	// straight to os.Stderr, which would scribble over the shell's line.
	if devnull, err := os.Open(os.DevNull); err == nil {
		stderr := os.Stderr
		os.Stderr = devnull
		defer func() { os.Stderr = stderr; devnull.Close() }()
	}
	ResetFlags(c.root)
	c.out.Reset()
	c.root.SetArgs(append(append([]string{cobra.ShellCompRequestCmd}, words...), toComplete))
	if err := c.root.ExecuteContext(ctx); err != nil {
		return nil
	}
	// For --opt=val cobra completes the value alone; the shell replaces
	// the whole word, so the option goes back in front.
	prefix := ""
	if i := strings.IndexByte(toComplete, '='); i > 0 && strings.HasPrefix(toComplete, "-") {
		prefix = toComplete[:i+1]
	}
	var out []Suggestion
	for _, line := range strings.Split(c.out.String(), "\n") {
		if line == "" || strings.HasPrefix(line, ":") {
			continue
		}
		text, desc, _ := strings.Cut(line, "\t")
		out = append(out, Suggestion{Text: prefix + text, Description: desc})
	}
	return out
}
