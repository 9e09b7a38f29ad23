package commands

import (
	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/format"
	"slices"
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

// command is one command of the tree: its name, known without building
// it (a command line builds only the command it runs), and its
// constructor. TestCommandNames checks that the two agree.
type command struct {
	name string
	new  func(*Env) *cobra.Command
}

// commandsByGroup lists every command by group: the group files' lists,
// then what register adds.
var commandsByGroup = map[string][]command{}

func init() {
	for group, cmds := range map[string][]command{
		"domain":   domainCommands,
		"monitor":  monitorCommands,
		"host":     hostCommands,
		"network":  networkCommands,
		"snapshot": snapshotCommands,
		"pool":     poolCommands,
		"volume":   volumeCommands,
		"virsh":    virshCommands,
	} {
		commandsByGroup[group] = slices.Concat(cmds, commandsByGroup[group])
	}
}

// register adds commands to a group from the file that defines them (used
// by commands that belong to one driver's features, so that adding them
// touches no shared file). Call it from init.
func register(group string, cmds ...command) {
	commandsByGroup[group] = append(commandsByGroup[group], cmds...)
}

// NewRoot builds a fresh command tree bound to env. cobra keeps flag values
// between executions, so every command line gets its own tree.
func NewRoot(env *Env) *cobra.Command {
	root := newSkeleton(env)
	for _, g := range groups {
		if len(commandsByGroup[g.ID]) == 0 {
			continue
		}
		root.AddGroup(g)
		for _, c := range commandsByGroup[g.ID] {
			addCommand(root, g.ID, c.new(env))
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
	c, group, ok := commandGroup(name)
	if !ok || name == "help" {
		return NewRoot(env)
	}
	root := newSkeleton(env)
	// cobra's "completion" command is built at every Execute unless
	// disabled: a third of a short command's own cost.
	root.CompletionOptions.DisableDefaultCmd = name != "completion"
	for _, g := range groups {
		if g.ID == group {
			root.AddGroup(g)
		}
	}
	addCommand(root, group, c.new(env))
	return root
}

// commandGroup finds the named command and its group.
func commandGroup(name string) (cmd command, group string, ok bool) {
	for group, cmds := range commandsByGroup {
		for _, c := range cmds {
			if c.name == name {
				return c, group, true
			}
		}
	}
	return command{}, "", false
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

// isCommand reports whether name is a command.
func isCommand(name string) bool {
	_, _, ok := commandGroup(name)
	return ok
}
