package commands

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newHelpCmd(env *Env) *cobra.Command {
	var o struct{ command string }
	cmd := &cobra.Command{
		Use:   "help",
		Short: "print help",
		Long:  "Prints global help, command specific help, or help for a group of related commands",
	}
	arg(cmd, &o.command, "command", "Prints global help, command specific help, or help for a\n                                    group of related commands", false)
	emptyOK(cmd, "command")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		return runHelp(env, c.Root(), o.command)
	}
	return cmd
}

func runHelp(env *Env, root *cobra.Command, topic string) error {
	if topic == "" {
		fmt.Fprintln(env.Out, "Grouped commands:")
		fmt.Fprintln(env.Out)
		for _, g := range root.Groups() {
			writeGroupHelp(env.Out, root, g)
		}
		return nil
	}
	for _, g := range root.Groups() {
		if g.ID == topic {
			writeGroupHelp(env.Out, root, g)
			return nil
		}
	}
	if c := Lookup(root, topic); c != nil && !c.Hidden {
		writeCommandHelp(env.Out, c)
		return nil
	}
	return userError("", "command or command group '%s' doesn't exist", topic)
}

// WriteGroupedHelp writes every group's command list, as `help` does.
func WriteGroupedHelp(w io.Writer) {
	root := NewRoot(&Env{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, Session: &Session{}})
	for _, g := range root.Groups() {
		writeGroupHelp(w, root, g)
	}
}

func writeGroupHelp(w io.Writer, root *cobra.Command, g *cobra.Group) {
	fmt.Fprintf(w, " %s:\n", g.Title)
	var cmds []*cobra.Command
	for _, c := range root.Commands() {
		if c.GroupID == g.ID && !c.Hidden {
			cmds = append(cmds, c)
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name() < cmds[j].Name() })
	for _, c := range cmds {
		fmt.Fprintf(w, "    %-30s %s\n", c.Name(), c.Short)
	}
	fmt.Fprintln(w)
}

// writeCommandHelp prints virsh's NAME / SYNOPSIS / DESCRIPTION / OPTIONS
// page for one command.
func writeCommandHelp(w io.Writer, c *cobra.Command) {
	positional := map[string]bool{}
	for _, n := range annotationList(c, annotPositional) {
		positional[n] = true
	}
	required := map[string]bool{}
	for _, n := range annotationList(c, annotRequired) {
		required[n] = true
	}
	var synopsis, options []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" || f.Name == "output" || f.Hidden {
			return
		}
		isBool := f.Value.Type() == "bool"
		value := "<" + flagTypeWord(f) + ">"
		var syn, opt string
		switch {
		case isBool:
			syn, opt = "[--"+f.Name+"]", "--"+f.Name
		case positional[f.Name]:
			syn, opt = "<"+f.Name+">", "[--"+f.Name+"] "+value
			if !required[f.Name] {
				syn = "[" + opt + "]"
			}
		default:
			syn, opt = "--"+f.Name+" "+value, "--"+f.Name+" "+value
			if !required[f.Name] {
				syn = "[" + syn + "]"
			}
		}
		synopsis = append(synopsis, syn)
		options = append(options, fmt.Sprintf("    %-15s  %s", opt, f.Usage))
	})
	fmt.Fprintf(w, "  NAME\n    %s - %s\n\n", c.Name(), c.Short)
	fmt.Fprintf(w, "  SYNOPSIS\n    %s\n\n", strings.Join(append([]string{c.Name()}, synopsis...), " "))
	if c.Long != "" {
		fmt.Fprintf(w, "  DESCRIPTION\n    %s\n\n", c.Long)
	}
	if len(options) > 0 {
		fmt.Fprintf(w, "  OPTIONS\n%s\n\n", strings.Join(options, "\n"))
	}
}
