package commands

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/virtsh/virtsh/backend"
)

func TestEscapeByte(t *testing.T) {
	for in, want := range map[string]byte{"": 0x1d, "^]": 0x1d, "^a": 0x01, "^A": 0x01, "^[": 0x1b, "x": 'x'} {
		if got, err := escapeByte(in); err != nil || got != want {
			t.Errorf("escapeByte(%q) = %#x %v, want %#x", in, got, err, want)
		}
	}
	for _, bad := range []string{"abc", "^", "^1"} { // as virsh refuses them
		if err := CheckEscape(bad); err == nil || err.Error() != "Invalid string '"+bad+"' for escape sequence" {
			t.Errorf("escape %q: %v", bad, err)
		}
	}
}

func TestCopyInput(t *testing.T) {
	for _, c := range []struct {
		in, sent string
		left     bool
	}{
		{"ls\n\x1dafter", "ls\n", true},
		{"ls\n~.after", "ls\n", true},
		{"~.", "", true},
		{"a~.b\n", "a~.b\n", false}, // ~ in the middle of a line is text
		{"~x\n", "~x\n", false},
		{"echo hi\n", "echo hi\n", false},
	} {
		var sent bytes.Buffer
		left := copyInput(strings.NewReader(c.in), &sent, 0x1d)
		if left != c.left || sent.String() != c.sent {
			t.Errorf("%q: sent %q left %v, want %q %v", c.in, sent.String(), left, c.sent, c.left)
		}
	}
}

// fakeConsole is a console whose guest echoes input uppercased.
type fakeConsole struct {
	backend.DomainService
	mu     sync.Mutex
	opened []bool // force flags
	status int
	argv   []string
}

type echoStream struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func (e echoStream) Read(p []byte) (int, error) { return e.r.Read(p) }
func (e echoStream) Write(p []byte) (int, error) {
	go e.w.Write([]byte(strings.ToUpper(string(p))))
	return len(p), nil
}
func (e echoStream) Close() error { e.w.Close(); return nil }

func (f *fakeConsole) OpenConsole(_ context.Context, name, dev string, force bool) (io.ReadWriteCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, force)
	r, w := io.Pipe()
	return echoStream{r, w}, nil
}

func (f *fakeConsole) EnterNamespace(_ context.Context, name string, argv []string, stdio backend.Stdio) (int, error) {
	f.argv = argv
	io.WriteString(stdio.Out, "ran "+strings.Join(argv, " ")+"\n")
	return f.status, nil
}

type fakeConn struct {
	backend.Conn
	doms *fakeConsole
}

func (c fakeConn) Domains() backend.DomainService { return c.doms }

func fakeEnv(t *testing.T, in string) (*Env, *fakeConsole, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	real, err := backend.Open(context.Background(), "test:///default", backend.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeConsole{DomainService: real.Domains()}
	var out, errOut bytes.Buffer
	env := &Env{In: strings.NewReader(in), Out: &out, Err: &errOut, Session: &Session{URI: "test:///default", conn: fakeConn{real, f}}}
	return env, f, &out, &errOut
}

func TestConsoleCommand(t *testing.T) {
	env, f, out, errOut := fakeEnv(t, "echo hi\n") // input ends: output is shown until a quiet second
	if Run(context.Background(), env, []string{"console", "test", "--force"}, false) != 0 {
		t.Fatalf("console failed: %s", errOut)
	}
	want := "Connected to domain 'test'\nEscape character is ^] (Ctrl + ])\nECHO HI\n"
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("output %q, want it to start with %q", out.String(), want)
	}
	if len(f.opened) != 1 || !f.opened[0] {
		t.Errorf("opened %v, want one forced", f.opened)
	}
}

func TestLXCEnterNamespace(t *testing.T) {
	env, f, out, errOut := fakeEnv(t, "")
	if Run(context.Background(), env, []string{"lxc-enter-namespace", "test", "--noseclabel", "--", "/bin/ls", "-l"}, false) != 0 {
		t.Fatalf("failed: %s", errOut)
	}
	if strings.Join(f.argv, " ") != "/bin/ls -l" || !strings.HasPrefix(out.String(), "ran /bin/ls -l\n") {
		t.Errorf("argv %q output %q", f.argv, out.String())
	}
	env, f, _, errOut = fakeEnv(t, "")
	f.status = 3
	if got := Run(context.Background(), env, []string{"lxc-enter-namespace", "test", "--", "false"}, false); got != 3 || errOut.Len() != 0 {
		t.Errorf("a command failing with 3: status %d, stderr %q; want 3 and no error line", got, errOut)
	}
	env, _, _, errOut = fakeEnv(t, "")
	if Run(context.Background(), env, []string{"lxc-enter-namespace", "test"}, false) != 1 || !strings.Contains(errOut.String(), "after --") {
		t.Errorf("no command: %q", errOut.String())
	}
}

// start --console attaches the console once the domain runs.
func TestStartConsole(t *testing.T) {
	env, f, out, errOut := fakeEnv(t, "echo hi\n")
	Run(context.Background(), env, []string{"destroy", "test"}, false)
	if Run(context.Background(), env, []string{"start", "test", "--console"}, false) != 0 {
		t.Fatalf("start --console failed: %s", errOut)
	}
	want := "Domain 'test' started\nConnected to domain 'test'\nEscape character is ^] (Ctrl + ])\nECHO HI\n"
	if !strings.Contains(out.String(), want) || len(f.opened) != 1 || f.opened[0] {
		t.Errorf("output %q (consoles opened %v), want it to hold %q and one console opened unforced", out.String(), f.opened, want)
	}
}

// A bad escape is refused before start or create --console changes
// anything; other escapes are shown as virsh shows them.
func TestConsoleEscapeOfStartAndCreate(t *testing.T) {
	env, f, _, errOut := fakeEnv(t, "")
	env.Escape = "abc"
	Run(context.Background(), env, []string{"destroy", "test"}, false)
	if Run(context.Background(), env, []string{"start", "test", "--console"}, false) != 1 || len(f.opened) != 0 {
		t.Errorf("start --console with a bad escape: consoles opened %v", f.opened)
	}
	if d, _ := f.LookupByName(context.Background(), "test"); d.State.Active() {
		t.Error("start --console with a bad escape started the domain")
	}
	if !strings.Contains(errOut.String(), "Invalid string 'abc' for escape sequence") {
		t.Errorf("stderr %q", errOut.String())
	}
	env, _, out, _ := fakeEnv(t, "")
	env.Escape = "x"
	Run(context.Background(), env, []string{"console", "test"}, false)
	if !strings.HasPrefix(out.String(), "Connected to domain 'test'\nEscape character is x\n") {
		t.Errorf("console with -e x: %q", out.String())
	}
}
