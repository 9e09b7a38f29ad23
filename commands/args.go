package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// virsh lets every data option be given by position or by name:
// `dominfo test` and `dominfo --domain test` are the same. A command declares
// such options with arg(); they are ordinary string flags, and
// fillPositional, the command's Args hook, assigns the positional words to
// the ones not given by name, in declaration order.

const (
	annotPositional = "virtsh/positional" // comma-separated option names, in order
	annotRequired   = "virtsh/required"   // comma-separated required option names
	annotEmptyOK    = "virtsh/empty-ok"   // options that may be given an empty value
)

// arg declares a string option that may also be given by position.
func arg(cmd *cobra.Command, p *string, name, usage string, required bool) {
	cmd.Flags().StringVar(p, name, "", usage)
	addAnnotation(cmd, annotPositional, name)
	if required {
		addAnnotation(cmd, annotRequired, name)
	}
	cmd.Args = fillPositional
}

// requireFlag marks a named-only option as required (virsh's VSH_OFLAG_REQ).
func requireFlag(cmd *cobra.Command, name string) {
	addAnnotation(cmd, annotRequired, name)
	cmd.Args = fillPositional
}

// emptyOK lets options take an empty value (virsh's VSH_OFLAG_EMPTY_OK);
// every other option given as "" is an error.
func emptyOK(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		addAnnotation(cmd, annotEmptyOK, n)
	}
}

// checkEmpty rejects options given an empty value, with virsh's message.
// virsh checks when the command reads its options, that is when it runs,
// so this is the root's pre-run hook rather than part of parsing.
func checkEmpty(cmd *cobra.Command, _ []string) error {
	ok := map[string]bool{}
	for _, n := range annotationList(cmd, annotEmptyOK) {
		ok[n] = true
	}
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err == nil && f.Changed && f.Value.Type() == "string" && f.Value.String() == "" && !ok[f.Name] {
			err = fmt.Errorf("Failed to get option '%s': Option argument is empty", f.Name)
		}
	})
	return err
}

func addAnnotation(cmd *cobra.Command, key, name string) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	if v := cmd.Annotations[key]; v != "" {
		name = v + "," + name
	}
	cmd.Annotations[key] = name
}

func annotationList(cmd *cobra.Command, key string) []string {
	if v := cmd.Annotations[key]; v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

// fillPositional assigns positional words to the positional options not
// given by name, then checks that required options are present, with
// virsh's messages.
func fillPositional(cmd *cobra.Command, args []string) error {
	names := annotationList(cmd, annotPositional)
	for _, a := range args {
		for len(names) > 0 && cmd.Flags().Changed(names[0]) {
			names = names[1:]
		}
		if len(names) == 0 {
			return fmt.Errorf("unexpected data '%s'", a)
		}
		if err := cmd.Flags().Set(names[0], a); err != nil {
			return err
		}
		names = names[1:]
	}
	for _, name := range annotationList(cmd, annotRequired) {
		if !cmd.Flags().Changed(name) {
			return fmt.Errorf("command '%s' requires <%s> option", cmd.Name(), name)
		}
	}
	return nil
}

// noArgs is the Args hook of commands without positional options.
func noArgs(cmd *cobra.Command, args []string) error {
	return fillPositional(cmd, args)
}

// flagError turns pflag's parse errors into virsh's wording.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown flag: "):
		return fmt.Errorf("command '%s' doesn't support option %s", cmd.Name(), strings.TrimPrefix(msg, "unknown flag: "))
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		opt := msg[strings.LastIndex(msg, " in ")+4:]
		return fmt.Errorf("command '%s' doesn't support option %s", cmd.Name(), opt)
	case strings.HasPrefix(msg, "flag needs an argument: "):
		name := strings.TrimLeft(strings.TrimPrefix(msg, "flag needs an argument: "), "-'")
		name = strings.TrimRight(name, "'")
		if f := cmd.Flags().Lookup(name); f != nil {
			return fmt.Errorf("expected syntax: --%s <%s>", f.Name, flagTypeWord(f))
		}
	}
	return err
}

func flagTypeWord(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64", "uint", "uint64":
		return "number"
	}
	return "string"
}
