package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/format"
	"slices"
	"sync"
)

// The command groups, in virsh's order and with its help keywords.
var groups = []*cobra.Group{
	{ID: "domain", Title: "Domain Management (help keyword 'domain')"},
	{ID: "monitor", Title: "Domain Monitoring (help keyword 'monitor')"},
	{ID: "host", Title: "Host and Hypervisor (help keyword 'host')"},
	{ID: "interface", Title: "Interface (help keyword 'interface')"},
	{ID: "network", Title: "Networking (help keyword 'network')"},
	{ID: "snapshot", Title: "Snapshot (help keyword 'snapshot')"},
	{ID: "pool", Title: "Storage Pool (help keyword 'pool')"},
	{ID: "volume", Title: "Storage Volume (help keyword 'volume')"},
	{ID: "virsh", Title: "Virsh itself (help keyword 'virsh')"},
}

// constructors lists every command by group. Adding a command is one line
// here and one file.
var constructors = map[string][]func(*Env) *cobra.Command{}

func init() {
	for group, cmds := range map[string][]func(*Env) *cobra.Command{
		"domain":   domainCommands,
		"monitor":  monitorCommands,
		"host":     hostCommands,
		"network":  networkCommands,
		"snapshot": snapshotCommands,
		"pool":     poolCommands,
		"volume":   volumeCommands,
		"virsh":    virshCommands,
	} {
		constructors[group] = slices.Concat(cmds, constructors[group])
	}
}

// register adds commands to a group from the file that defines them (used
// by commands that belong to one driver's features, so that adding them
// touches no shared file). Call it from init.
func register(group string, ctors ...func(*Env) *cobra.Command) {
	constructors[group] = append(constructors[group], ctors...)
}

// NewRoot builds a fresh command tree bound to env. cobra keeps flag values
// between executions, so every command line gets its own tree.
func NewRoot(env *Env) *cobra.Command {
	root := newSkeleton(env)
	for _, g := range groups {
		if len(constructors[g.ID]) == 0 {
			continue
		}
		root.AddGroup(g)
		for _, newCmd := range constructors[g.ID] {
			addCommand(root, g.ID, newCmd(env))
		}
	}
	root.SetHelpCommand(Lookup(root, "help")) // ours, in the virsh group
	return root
}

// newRootFor builds the tree a command line needs: the root and the named
// command alone (a tenth of the whole tree's cost, which a batch of a
// thousand commands pays twice per command), or the whole tree for help,
// which lists the others. A name that is no command gets the whole tree.
func newRootFor(env *Env, name string) *cobra.Command {
	e, ok := commandIndex(env)[name]
	if !ok || name == "help" {
		return NewRoot(env)
	}
	root := newSkeleton(env)
	for _, g := range groups {
		if g.ID == e.group {
			root.AddGroup(g)
		}
	}
	addCommand(root, e.group, e.ctor(env))
	return root
}

type indexEntry struct {
	group string
	ctor  func(*Env) *cobra.Command
}

var (
	indexOnce sync.Once
	index     map[string]indexEntry
)

// commandIndex maps every command name and alias to its constructor,
// learnt by building the tree once.
func commandIndex(env *Env) map[string]indexEntry {
	indexOnce.Do(func() {
		index = map[string]indexEntry{}
		probe := *env
		for group, ctors := range constructors {
			for _, ctor := range ctors {
				c := ctor(&probe)
				for _, n := range append([]string{c.Name()}, c.Aliases...) {
					index[n] = indexEntry{group, ctor}
				}
			}
		}
	})
	return index
}

func newSkeleton(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "virtsh",
		Short:         "the virtualization shell",
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			HiddenDefaultCmd: true,
		},
	}
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	root.SetFlagErrorFunc(flagError)
	root.PersistentPreRunE = checkEmpty
	root.PersistentFlags().VarP((*formatFlag)(&env.Format), "output", "o", "output format: table, json, yaml or csv")
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeCommandHelp(env.Out, c) })
	return root
}

func addCommand(root *cobra.Command, group string, c *cobra.Command) {
	c.GroupID = group
	c.Flags().SortFlags = false // help lists options as declared, like virsh
	if c.Args == nil {
		c.Args = noArgs
	}
	root.AddCommand(c)
}

// Lookup returns the command named name in root, or nil.
func Lookup(root *cobra.Command, name string) *cobra.Command {
	for _, c := range root.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

// formatFlag is -o/--output given after a command (`list -o json`); it
// sets the output format of that command only (Run restores it).
type formatFlag format.Format

func (f *formatFlag) String() string { return format.Format(*f).String() }
func (f *formatFlag) Type() string   { return "string" }
func (f *formatFlag) Set(s string) error {
	v, err := format.Parse(s)
	if err == nil {
		*f = formatFlag(v)
	}
	return err
}

// isCommand reports whether name is a command (or an alias of one).
func isCommand(env *Env, name string) bool {
	_, ok := commandIndex(env)[name]
	return ok
}
