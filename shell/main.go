package shell

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/fsutil"
	"github.com/virtsh/virtsh/commands"
	"github.com/virtsh/virtsh/format"
	"golang.org/x/term"
)

// options are virsh's global options (virsh.c, virshParseArgv) and virtsh's own.
type options struct {
	connect, escape, log, output, version string
	debug                                 int
	readonly, quiet, timing, longVersion  bool
	help, errexit                         bool
	keepaliveInterval, keepaliveCount     int
}

func parseOptions(args []string, errw io.Writer) (*options, []string, error) {
	o := &options{}
	fs := pflag.NewFlagSet("virtsh", pflag.ContinueOnError)
	fs.SetInterspersed(false) // options end at the command, as with virsh's getopt "+"
	fs.SetOutput(io.Discard)
	fs.StringVarP(&o.connect, "connect", "c", "", "hypervisor connection URI")
	fs.IntVarP(&o.debug, "debug", "d", -1, "debug level [0-4]")
	fs.StringVarP(&o.escape, "escape", "e", "^]", "set escape sequence for console")
	fs.BoolVarP(&o.help, "help", "h", false, "this help")
	fs.IntVarP(&o.keepaliveInterval, "keepalive-interval", "k", 5, "keepalive interval in seconds, 0 for disable")
	fs.IntVarP(&o.keepaliveCount, "keepalive-count", "K", 6, "number of possible missed keepalive messages")
	fs.StringVarP(&o.log, "log", "l", "", "output logging to file")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "quiet mode")
	fs.BoolVarP(&o.readonly, "readonly", "r", false, "connect readonly")
	fs.BoolVarP(&o.timing, "timing", "t", false, "print timing information")
	fs.StringVarP(&o.version, "version", "v", "", "print short version, or long with --version=long")
	fs.Lookup("version").NoOptDefVal = "short"
	fs.BoolVarP(&o.longVersion, "long-version", "V", false, "print long version")
	fs.StringVarP(&o.output, "output", "o", "table", "output format: table, json, yaml or csv")
	fs.BoolVar(&o.errexit, "errexit", false, "stop at the first failing command and exit 1")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return o, fs.Args(), nil
}

// Main runs virtsh with the given arguments (without the program name) and
// returns the exit status. It is the whole program; main.go only wires
// drivers and calls it.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if helper, ok := backend.Helper(args[0]); ok {
			return helper(args[1:])
		}
	}
	o, rest, err := parseOptions(args, stderr)
	if err == nil && len(rest) > 1 && commands.IsCompletionRequest(rest[:1]) {
		// A completion script passes the whole line after __complete,
		// global options included: `__complete -c URI dominfo ''`.
		var inner []string
		if o, inner, err = parseOptions(rest[1:], stderr); err == nil {
			rest = append(rest[:1], inner...)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %s. See --help.\n", optionError(err))
		return 1
	}
	switch {
	case o.help:
		usage(stdout)
		return 0
	case o.longVersion || o.version == "long":
		fmt.Fprintf(stdout, "virtsh %s\n", commands.Version)
		fmt.Fprintf(stdout, " Drivers: %v\n", backend.Schemes())
		return 0
	case o.version != "":
		fmt.Fprintln(stdout, commands.Version)
		return 0
	}
	f, err := format.Parse(o.output)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if err := commands.CheckEscape(o.escape); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if o.debug > 4 {
		fmt.Fprintf(stderr, "error: ignoring debug level %d out of range [0-4]\n", o.debug)
	}
	env := &commands.Env{
		In: stdin, Out: stdout, Err: stderr,
		Format: f, Quiet: o.quiet, Escape: o.escape,
		Session: &commands.Session{URI: o.connect, ReadOnly: o.readonly},
	}
	if closeLog, err := setupLog(env, o); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	} else {
		defer closeLog()
	}
	defer env.Session.Close()
	// One syncfs when the batch ends instead of an fsync per state file
	// (a thousand defines in one string): see fsutil.DeferSync.
	fsutil.DeferSync()
	defer fsutil.Sync()
	if env.Aliases, err = commands.LoadAliases(); err != nil {
		fmt.Fprintf(stderr, "warning: aliases not loaded from %s: %v\n", commands.AliasFile(), err)
	}

	r := runner{env: env, timing: o.timing, errexit: o.errexit}
	ctx := context.Background()
	switch {
	case commands.IsCompletionRequest(rest):
		return status(commands.RunCompletion(ctx, env, rest))
	case len(rest) == 1:
		return r.runString(ctx, rest[0])
	case len(rest) > 1:
		return r.runChain(ctx, [][]string{rest})
	case isTerminal(stdin):
		env.Interactive = true
		return r.interactive(ctx, stdin.(*os.File))
	default:
		return r.runReader(ctx, stdin)
	}
}

// optionError words a global option parse error as virsh does
// ("unsupported option '-x'").
func optionError(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown flag: "):
		return fmt.Sprintf("unsupported option '%s'", strings.TrimPrefix(msg, "unknown flag: "))
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		return fmt.Sprintf("unsupported option '%s'", msg[strings.LastIndex(msg, " in ")+4:])
	}
	return msg
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// setupLog turns on the debug log: -l FILE appends to FILE, -d LEVEL
// alone writes to stderr.
func setupLog(env *commands.Env, o *options) (func(), error) {
	switch {
	case o.log != "":
		f, err := os.OpenFile(o.log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("failed to open log file '%s': %v", o.log, err)
		}
		env.Log = log.New(f, "virtsh: ", log.LstdFlags|log.Lmicroseconds)
		return func() { f.Close() }, nil
	case o.debug >= 0:
		env.Log = log.New(env.Err, "virtsh: ", log.Lmicroseconds)
	}
	return func() {}, nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `
virtsh [options]... [<command_string>]
virtsh [options]... <command> [args...]

  options:
    -c | --connect=URI      hypervisor connection URI
    -d | --debug=NUM        debug level [0-4]
    -e | --escape <char>    set escape sequence for console
    -h | --help             this help
    -k | --keepalive-interval=NUM
                            keepalive interval in seconds, 0 for disable
    -K | --keepalive-count=NUM
                            number of possible missed keepalive messages
    -l | --log=FILE         output logging to file
    -o | --output=FORMAT    output format: table (virsh's layout), json, yaml or csv
    -q | --quiet            quiet mode
    -r | --readonly         connect readonly
    -t | --timing           print timing information
    -v                      short version
    -V                      long version
         --version[=TYPE]   version, TYPE is short or long (default short)
         --errexit          stop at the first failing command and exit 1

  commands (non interactive mode):

`)
	commands.WriteGroupedHelp(w)
	fmt.Fprint(w, "\n  (specify help <group> for details about the commands in the group)\n\n  (specify help <command> for details about the command)\n\n")
}
