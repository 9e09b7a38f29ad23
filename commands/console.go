package commands

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
	"golang.org/x/term"
)

func init() {
	register("domain", command{"console", newConsoleCmd})
}

// consoleQuietEnd is how long a console whose input is not a terminal
// keeps showing output after its input ended: `printf 'cmd\n' | virtsh
// console x` shows what cmd printed, then ends.
const consoleQuietEnd = time.Second

func newConsoleCmd(env *Env) *cobra.Command {
	var o struct {
		domain, devname string
		force, safe     bool
	}
	cmd := &cobra.Command{
		Use:   "console",
		Short: "connect to the guest console",
		Long:  "Connect the virtual serial console for the guest",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().StringVar(&o.devname, "devname", "", "character device name")
	cmd.Flags().BoolVar(&o.force, "force", false, "force console connection (disconnect already connected sessions)")
	cmd.Flags().BoolVar(&o.safe, "safe", false, "only connect if safe console handling is supported")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		return runConsole(ctx, env, conn, d, o.devname, o.force)
	}
	return cmd
}

// runConsole connects the user to the console dev ("" for the first) of
// the domain d, as virsh's cmdRunConsole does for console, start
// --console and create --console.
func runConsole(ctx context.Context, env *Env, conn backend.Conn, d backend.DomainInfo, dev string, force bool) error {
	escape, err := escapeByte(env.Escape)
	if err != nil {
		return err
	}
	cons, ok := conn.Domains().(backend.DomainConsole)
	if !ok {
		return failed(backend.Unsupported("consoles are not available on %s", conn.URI()), "")
	}
	if !d.State.Active() {
		return userError(backend.CodeInvalidState, "The domain is not running")
	}
	stream, err := cons.OpenConsole(ctx, d.Name, dev, force)
	if err != nil {
		return failed(err, "")
	}
	defer stream.Close()
	esc := env.Escape
	if esc == "" {
		esc = "^]"
	}
	env.info("Connected to domain '%s'\n", d.Name)
	if strings.HasPrefix(esc, "^") {
		env.info("Escape character is %s (Ctrl + %s)\n", esc, esc[1:])
	} else {
		env.info("Escape character is %s\n", esc)
	}
	return attachConsole(ctx, env, stream, escape)
}

// checkConsoleEscape refuses a bad -e before start or create --console
// (console) starts anything.
func checkConsoleEscape(env *Env, console bool) error {
	if !console {
		return nil
	}
	_, err := escapeByte(env.Escape)
	return err
}

// CheckEscape refuses a -e value virsh refuses at start-up: it takes "^"
// and a letter or one of [\]^_ (a control character), or one character
// other than "^".
func CheckEscape(s string) error {
	_, err := escapeByte(s)
	return err
}

// escapeByte turns virsh's -e value into the byte that ends a session:
// "^]" is Ctrl-], a single character is itself (vshGetEscapeChar).
func escapeByte(s string) (byte, error) {
	switch {
	case s == "":
		return 0x1d, nil
	case len(s) == 2 && s[0] == '^' && strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_", unicode.ToUpper(rune(s[1]))):
		return strings.ToUpper(s)[1] ^ 0x40, nil
	case len(s) == 1 && s != "^":
		return s[0], nil
	}
	return 0, userError("", "Invalid string '%s' for escape sequence", s)
}

// attachConsole relays the terminal and the console until the escape
// character, "~." at the start of a line, the console's end, or (input
// not a terminal) the end of input and a second without output.
func attachConsole(ctx context.Context, env *Env, stream io.ReadWriteCloser, escape byte) error {
	if f, ok := env.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		old, err := term.MakeRaw(int(f.Fd()))
		if err == nil {
			defer term.Restore(int(f.Fd()), old)
		}
	}
	done := make(chan struct{})
	var once sync.Once
	finish := func() { once.Do(func() { close(done); stream.Close() }) }

	var mu sync.Mutex
	lastOutput := time.Now()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stream.Read(buf)
			if n > 0 {
				mu.Lock()
				lastOutput = time.Now()
				mu.Unlock()
				env.Out.Write(buf[:n])
			}
			if err != nil {
				finish()
				return
			}
		}
	}()
	inputEnded := make(chan struct{})
	go func() {
		if copyInput(env.In, stream, escape) {
			finish()
			return
		}
		close(inputEnded)
	}()
	for {
		select {
		case <-done:
			env.info("\n")
			return nil
		case <-ctx.Done():
			finish()
			return nil
		case <-inputEnded:
			inputEnded = nil
			go func() {
				for {
					time.Sleep(consoleQuietEnd / 10)
					mu.Lock()
					quiet := time.Since(lastOutput) >= consoleQuietEnd
					mu.Unlock()
					if quiet {
						finish()
						return
					}
				}
			}()
		}
	}
}

// copyInput sends the user's input to the console; it returns true when
// the user asked to leave (escape, or "~." at the start of a line) and
// false when the input ended.
func copyInput(in io.Reader, out io.Writer, escape byte) bool {
	buf := make([]byte, 1024)
	lineStart, tilde := true, false
	for {
		n, err := in.Read(buf)
		var send []byte
		for _, b := range buf[:n] {
			switch {
			case b == escape:
				out.Write(send)
				return true
			case tilde && b == '.':
				out.Write(send)
				return true
			case tilde:
				send = append(send, '~', b)
				tilde = false
			case lineStart && b == '~':
				tilde = true
				continue
			default:
				send = append(send, b)
			}
			lineStart = b == '\r' || b == '\n'
		}
		if len(send) > 0 {
			if _, werr := out.Write(send); werr != nil {
				return errors.Is(werr, io.ErrClosedPipe)
			}
		}
		if err != nil {
			return false
		}
	}
}
