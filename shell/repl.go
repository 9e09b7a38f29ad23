package shell

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	prompt "github.com/c-bata/go-prompt"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/commands"
	"github.com/virtsh/virtsh/completion"
	"golang.org/x/term"
)

// ttyParser is go-prompt's terminal reader with a TearDown that really
// restores the terminal: go-prompt's own restores the raw settings
// (go-prompt #228), so every exit path, its SIGTERM handler's included,
// would leave the terminal raw.
type ttyParser struct {
	*prompt.PosixParser
	restore func() error
}

func (p ttyParser) TearDown() error {
	err := p.PosixParser.TearDown()
	if rerr := p.restore(); err == nil {
		err = rerr
	}
	return err
}

// interactive is the shell on a terminal: virsh's banner and prompt,
// go-prompt's line editor with history and tab completion. The terminal
// state is saved first and restored on every way out.
func (r *runner) interactive(ctx context.Context, tty *os.File) int {
	env := r.env
	fd := int(tty.Fd())
	saved, err := term.GetState(fd)
	if err != nil {
		fmt.Fprintf(env.Err, "error: cannot read the terminal state: %v\n", err)
		return 1
	}
	restore := func() error { return term.Restore(fd, saved) }
	defer restore()
	defer func() {
		if p := recover(); p != nil {
			restore()
			panic(p)
		}
	}()
	if w, _, err := term.GetSize(fd); err != nil || w == 0 {
		return r.runReader(ctx, tty) // go-prompt panics on a zero-width terminal
	}

	if !env.Quiet {
		fmt.Fprint(env.Out, "Welcome to virtsh, the virtualization interactive terminal.\n\n"+
			"Type:  'help' for help with commands\n       'quit' to quit\n\n")
	}
	hist := loadHistory()
	cache := completion.NewCache(env.Session.Conn)
	env.CompletionConn = cache.Conn
	completer := commands.NewCompleter(env)

	code, histWarned := 0, false
	executor := func(line string) {
		if err := hist.add(line); err != nil && !histWarned {
			fmt.Fprintf(env.Err, "warning: history not saved to %s: %v\n", hist.path, err)
			histWarned = true
		}
		code = r.runInterruptible(ctx, line)
		fsutil.Sync() // each line's changes are durable before the next prompt
		cache.Reset()
	}
	suggest := func(d prompt.Document) []prompt.Suggest {
		return suggestions(ctx, completer, d)
	}
	p := prompt.New(executor, suggest,
		prompt.OptionParser(ttyParser{prompt.NewStandardInputParser(), restore}),
		prompt.OptionLivePrefix(func() (string, bool) { return promptString(env), true }),
		prompt.OptionHistory(hist.lines),
		prompt.OptionTitle("virtsh"),
		prompt.OptionCompletionWordSeparator(" ;"),
		prompt.OptionMaxSuggestion(12),
		prompt.OptionSetExitCheckerOnInput(func(string, bool) bool { return env.Exit }),
	)
	p.Run()
	return code
}

func promptString(env *commands.Env) string {
	if env.Session.ReadOnly {
		return "virtsh > "
	}
	return "virtsh # "
}

// runInterruptible runs one line with Ctrl-C (SIGINT) cancelling the
// command, not the shell; SIGTERM cancels it and then ends the shell.
func (r *runner) runInterruptible(ctx context.Context, line string) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sig:
			if s == syscall.SIGTERM {
				r.env.Exit = true
			}
			cancel()
		case <-done:
		}
	}()
	return r.runString(ctx, line)
}

// suggestions completes the word before the cursor: command names first,
// then the options and values of the command being typed. An empty line
// offers nothing until Tab is pressed.
func suggestions(ctx context.Context, c *commands.Completer, d prompt.Document) []prompt.Suggest {
	text := d.TextBeforeCursor()
	if strings.TrimSpace(text) == "" && d.LastKeyStroke() != prompt.Tab {
		return nil
	}
	words, toComplete, ok := lineWords(text)
	if !ok {
		return nil
	}
	var out []prompt.Suggest
	for _, s := range c.Complete(ctx, words, toComplete) {
		out = append(out, prompt.Suggest{Text: s.Text, Description: s.Description})
	}
	return out
}

// lineWords splits the last command of a partial line into the words typed
// and the word being completed.
func lineWords(text string) (words []string, toComplete string, ok bool) {
	cmds, err := Split(text)
	if err != nil {
		return nil, "", false
	}
	trimmed := strings.TrimRight(text, " \t")
	if len(cmds) == 0 || strings.HasSuffix(trimmed, ";") {
		return nil, "", true
	}
	last := cmds[len(cmds)-1]
	if len(trimmed) < len(text) {
		return last, "", true
	}
	return last[:len(last)-1], last[len(last)-1], true
}
