package commands

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	_ "github.com/virtsh/virtsh/backend/testdrv"
)

func completionEnv() *Env {
	return &Env{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{},
		Session: &Session{URI: "test:///default"}, Aliases: Aliases{}}
}

// TestEveryOptionCompletes walks the whole tree: every positional argument
// and every option that takes a value must have a completer (free text
// options complete to nothing on purpose, never to file names).
func TestEveryOptionCompletes(t *testing.T) {
	root := NewCompletionRoot(completionEnv())
	for _, cmd := range root.Commands() {
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() == "bool" || f.Name == "help" {
				return
			}
			if _, ok := cmd.GetFlagCompletionFunc(f.Name); !ok {
				t.Errorf("%s --%s has no completion: add it to completerFor or freeText in complete.go", cmd.Name(), f.Name)
			}
		})
		if annotationList(cmd, annotPositional) != nil && cmd.ValidArgsFunction == nil {
			t.Errorf("%s: positional arguments have no completion", cmd.Name())
		}
	}
}

func complete(t *testing.T, words []string, toComplete string) []string {
	t.Helper()
	c := NewCompleter(completionEnv())
	var got []string
	for _, s := range c.Complete(context.Background(), words, toComplete) {
		got = append(got, s.Text)
	}
	sort.Strings(got)
	return got
}

func TestCompleter(t *testing.T) {
	for _, tc := range []struct {
		words      []string
		toComplete string
		want       string
	}{
		{nil, "domi", "domid domifaddr domiflist domifstat dominfo"},
		{[]string{"dominfo"}, "", "test"},
		{[]string{"dominfo"}, "t", "test"},
		{[]string{"dominfo"}, "x", ""},
		{[]string{"dominfo", "--domain"}, "", "test"},
		{[]string{"destroy"}, "--gr", "--graceful"},
		{[]string{"net-destroy"}, "", "default"},
		{[]string{"help"}, "netw", "network"},
		{[]string{"list"}, "--output=", "--output=csv --output=json --output=table --output=yaml"},
		{[]string{"connect"}, "test", "test:///default"},
	} {
		got := strings.Join(complete(t, tc.words, tc.toComplete), " ")
		if got != tc.want {
			t.Errorf("complete %q + %q = %q, want %q", tc.words, tc.toComplete, got, tc.want)
		}
	}
}

// TestCompleterFiltersByCommand: start offers inactive domains only.
func TestCompleterFiltersByCommand(t *testing.T) {
	env := completionEnv()
	c := NewCompleter(env)
	ctx := context.Background()
	texts := func(cmd string) string {
		var out []string
		for _, s := range c.Complete(ctx, []string{cmd}, "") {
			out = append(out, s.Text)
		}
		return strings.Join(out, " ")
	}
	if got := texts("start"); got != "" {
		t.Errorf("start offers %q while test runs", got)
	}
	if Run(ctx, env, []string{"destroy", "test"}, false) != 0 {
		t.Fatalf("destroy failed: %s", env.Err)
	}
	if got := texts("start"); got != "test" {
		t.Errorf("start offers %q after destroy, want test", got)
	}
	if got := texts("destroy"); got != "" {
		t.Errorf("destroy offers %q for a shut-off domain", got)
	}
}

// TestCompleterKeepsEnv: completing a partial line that sets -o must not
// change the session's output format.
func TestCompleterKeepsEnv(t *testing.T) {
	env := completionEnv()
	c := NewCompleter(env)
	c.Complete(context.Background(), []string{"list", "-o", "json"}, "")
	if env.Format != 0 {
		t.Errorf("completion changed the output format to %v", env.Format)
	}
}

// TestExecutionTreesRegisterNoCompleters: cobra keeps flag completers in a
// global map, so a command that registered its own in its constructor
// would grow that map on every executed line of the shell. Completers are
// attached by complete.go to completion trees only.
func TestExecutionTreesRegisterNoCompleters(t *testing.T) {
	root := NewRoot(completionEnv())
	for _, cmd := range root.Commands() {
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if _, ok := cmd.GetFlagCompletionFunc(f.Name); ok {
				t.Errorf("%s --%s registers a completer in its constructor: move it to completerFor in complete.go", cmd.Name(), f.Name)
			}
		})
	}
}

// A command line finds its command by the name it was registered with,
// without building the others: that name must be the built command's.
func TestCommandNames(t *testing.T) {
	env := &Env{}
	seen := map[string]bool{}
	for group, cmds := range commandsByGroup {
		for _, c := range cmds {
			built := c.new(env)
			if built.Name() != c.name {
				t.Errorf("group %s registers %q for the command named %q", group, c.name, built.Name())
			}
			if len(built.Aliases) != 0 {
				t.Errorf("command %s has cobra aliases %v: register each name instead", c.name, built.Aliases)
			}
			if seen[c.name] {
				t.Errorf("command %s is registered twice", c.name)
			}
			seen[c.name] = true
		}
	}
}
