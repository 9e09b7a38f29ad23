package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// terminal is virtsh's interactive shell running on a pseudo-terminal, as
// a user at a terminal has it.
type terminal struct {
	t   *testing.T
	ptm *os.File // the master side: what the user types and sees
	tty *os.File // the slave side, whose modes the shell changes
	// initial are the terminal's modes before the shell started.
	initial unix.Termios
	cmd     *exec.Cmd
	mu      sync.Mutex
	seen    bytes.Buffer
	done    chan struct{}
}

func startShell(t *testing.T, extraEnv ...string) *terminal {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptm, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(virtshBin, "-c", testURI)
	cmd.Env = append(cleanEnv(), "TERM=xterm", "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true, Setctty: true}
	term := &terminal{t: t, ptm: ptm, tty: tty, cmd: cmd, done: make(chan struct{})}
	term.initial = term.modes()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			term.mu.Lock()
			term.seen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				close(term.done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		ptm.Close()
		tty.Close()
	})
	return term
}

// expect waits (at most 30 s: other tests may load the machine) until the screen output since the last
// expect contains want.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		term.mu.Lock()
		out := term.seen.String()
		if i := strings.Index(out, want); i >= 0 {
			term.seen.Next(i + len(want))
			term.mu.Unlock()
			return
		}
		term.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	term.t.Fatalf("the shell never showed %q; it showed:\n%q", want, term.seen.String())
}

// typeKeys sends keystrokes; each call is one write, as go-prompt needs
// Enter and Tab apart from the text before them. Each key waits until the
// shell reads keys (its terminal is raw, not canonical): a key typed while
// a command runs would meet the cooked terminal, where go-prompt cannot
// tell it from pasted text, and Ctrl-D would be taken as end of file.
func (term *terminal) typeKeys(keys ...string) {
	for _, k := range keys {
		term.waitRaw()
		if _, err := term.ptm.Write([]byte(k)); err != nil {
			term.t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitRaw waits (at most 30 s) until the shell has its terminal in raw
// mode, that is, until it waits for keys.
func (term *terminal) waitRaw() {
	term.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if term.modes().Lflag&unix.ICANON == 0 {
			return
		}
	}
	term.t.Fatal("the shell never put its terminal in raw mode to read keys")
}

func (term *terminal) modes() unix.Termios {
	term.t.Helper()
	tios, err := unix.IoctlGetTermios(int(term.tty.Fd()), unix.TCGETS)
	if err != nil {
		term.t.Fatal(err)
	}
	return *tios
}

// wait waits (at most 10 s) for the shell to exit and returns its status.
func (term *terminal) wait() int {
	term.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- term.cmd.Wait() }()
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 0
	case <-time.After(10 * time.Second):
		term.t.Fatal("the shell did not exit")
		return -1
	}
}

const tab, enter, ctrlC, ctrlD = "\t", "\r", "\x03", "\x04"

func TestShellSession(t *testing.T) {
	term := startShell(t)
	before := term.initial
	term.expect("Welcome to virtsh")
	term.expect("virtsh # ")

	term.typeKeys("domi", tab)
	term.expect("dominfo")
	term.expect("domain information")

	term.typeKeys("\x15") // Ctrl-U: clear the line
	term.typeKeys("dominfo te", tab)
	term.expect("test")
	term.expect("running")

	term.typeKeys(" ", enter) // the space takes the suggestion, Enter runs it
	term.expect("Name:           test")
	term.expect("Security label: libvirt-test (enforcing)")
	term.expect("virtsh # ")

	term.typeKeys("destroy test", enter)
	term.expect("Domain 'test' destroyed")
	term.typeKeys("start ", tab) // start offers inactive domains: test now
	term.expect("shut off")

	term.typeKeys(ctrlC) // clears the line, not the shell
	term.expect("virtsh # ")
	term.typeKeys("quit", enter)
	if code := term.wait(); code != 0 {
		t.Errorf("exit status %d after quit", code)
	}
	if after := term.modes(); after != before {
		t.Errorf("terminal modes changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestShellCtrlDAndHistory(t *testing.T) {
	state := t.TempDir()
	term := startShell(t, "XDG_STATE_HOME="+state)
	before := term.initial
	term.expect("virtsh # ")
	term.typeKeys("uri", enter)
	term.expect("test:///default")
	term.expect("virtsh # ")
	term.typeKeys(ctrlD)
	if code := term.wait(); code != 0 {
		t.Errorf("exit status %d after Ctrl-D", code)
	}
	if after := term.modes(); after != before {
		t.Errorf("terminal modes changed by Ctrl-D exit")
	}
	hist, err := os.ReadFile(filepath.Join(state, "virtsh", "history"))
	if err != nil || string(hist) != "uri\n" {
		t.Errorf("history file = %q, %v; want \"uri\\n\"", hist, err)
	}
	if st, _ := os.Stat(filepath.Join(state, "virtsh", "history")); st != nil && st.Mode().Perm() != 0o600 {
		t.Errorf("history mode %v, want 0600", st.Mode().Perm())
	}

	// A new shell has it: Up brings the last line back.
	term = startShell(t, "XDG_STATE_HOME="+state)
	term.expect("virtsh # ")
	term.typeKeys("\x1b[A", enter)
	term.expect("test:///default")
	term.typeKeys("exit", enter)
	term.wait()
}

// TestShellSIGTERM: a SIGTERM at the prompt ends the shell and restores
// the terminal.
func TestShellSIGTERM(t *testing.T) {
	term := startShell(t)
	before := term.initial
	term.expect("virtsh # ")
	term.waitRaw()
	term.cmd.Process.Signal(unix.SIGTERM)
	term.wait()
	if after := term.modes(); after != before {
		t.Errorf("terminal modes changed by SIGTERM:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestShellAliases(t *testing.T) {
	config := t.TempDir()
	term := startShell(t, "XDG_CONFIG_HOME="+config)
	term.expect("virtsh # ")
	term.typeKeys("alias st 'domstate test --reason'; echo aliased", enter)
	term.expect("aliased")
	term.typeKeys("st", enter)
	term.expect("running (unknown)")
	term.typeKeys("quit", enter)
	term.wait()
	if b, err := os.ReadFile(filepath.Join(config, "virtsh", "aliases")); err != nil || !strings.Contains(string(b), "st domstate test --reason") {
		t.Errorf("aliases file = %q, %v", b, err)
	}
}

// TestAliasOnCommandLine: aliases work in batch mode too, with extra
// words appended to the alias's last command.
func TestAliasOnCommandLine(t *testing.T) {
	config := t.TempDir()
	runWith := func(args ...string) result {
		cmd := exec.Command(virtshBin, append([]string{"-c", testURI}, args...)...)
		cmd.Env = append(cleanEnv(), "XDG_CONFIG_HOME="+config)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return result{out.String(), errOut.String(), code}
	}
	if r := runWith("alias", "bounce", "destroy test; domstate"); r.code != 0 {
		t.Fatalf("alias: %+v", r)
	}
	r := runWith("bounce test; list --all --name")
	if r.code != 0 || r.stdout != "Domain 'test' destroyed\n\nshut off\n\ntest\n\n" {
		t.Errorf("bounce: %+v", r)
	}
	if r := runWith("alias", "list", "uri"); r.code != 1 || !strings.Contains(r.stderr, "it is a command") {
		t.Errorf("aliasing a command: %+v", r)
	}
	if r := runWith("alias", "../x", "uri"); r.code != 1 || !strings.Contains(r.stderr, "invalid alias name") {
		t.Errorf("bad alias name: %+v", r)
	}
}

// TestCompletionScripts: the shell scripts exist and their requests are
// answered by the same completers as the interactive shell.
func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if r := virtsh(t, "completion", sh); r.code != 0 || !strings.Contains(r.stdout, "__complete") {
			t.Errorf("completion %s: exit %d, %d bytes", sh, r.code, len(r.stdout))
		}
	}
	r := run(t, virtshBin, "", "__complete", "-c", testURI, "suspend", "")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "test\trunning\n:4\n") {
		t.Errorf("__complete suspend: %+v", r)
	}
	r = run(t, virtshBin, "", "__complete", "-c", testURI, "define", "")
	if !strings.Contains(r.stdout, "xml\n:8") { // file names, *.xml only
		t.Errorf("__complete define: %+v", r)
	}
}
