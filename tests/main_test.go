// Package tests holds virtsh's end-to-end tests: they build the virtsh
// binary once and run it as a whole process, the way users and scripts do,
// side by side with the real virsh where it is installed.
package tests

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// testURI is the connection every test uses: libvirt's test driver in
// virsh, its twin backend/testdrv in virtsh.
const testURI = "test:///default"

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from virtsh's output")

// virtshBin is the path of the virtsh binary TestMain builds; home is an
// empty directory that stands for the user's configuration and state
// (aliases, history) and holds VIRTSH_ROOT, so that a developer's own
// files cannot change results and the tests never touch the host's state.
var virtshBin, home string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "virtsh-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		os.Exit(1)
	}
	// A container's root in a user namespace (an unprivileged host uid)
	// execs virtsh inside the container's namespaces: let it reach it.
	os.Chmod(dir, 0o711)
	virtshBin = filepath.Join(dir, "virtsh")
	home = filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		os.Exit(1)
	}
	if err := build(virtshBin); err != nil {
		fmt.Fprintln(os.Stderr, "tests: building virtsh:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	fmt.Println(summary.String())
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles the module's main package (the parent directory) into out,
// statically, as it ships.
func build(out string) error {
	cmd := exec.Command("go", "build", "-o", out, "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// result is what one process printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// run runs bin with args and stdin (nil: an empty standard input) in the
// tests directory, so relative testdata/ paths work, with no default URI
// from the environment.
func run(t testing.TB, bin string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = cleanEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %q: %v", bin, args, err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// virtsh runs the built virtsh on the test driver: virtsh -c test:///default ARGS.
func virtsh(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, virtshBin, "", append([]string{"-c", testURI}, args...)...)
}

// virtshStdin runs virtsh on the test driver with commands on standard input.
func virtshStdin(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	return run(t, virtshBin, stdin, append([]string{"-c", testURI}, args...)...)
}

// cleanEnv is the environment without the variables that choose a default
// URI, a language or the user's files, so that a developer's settings
// cannot change results.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "VIRTSH_DEFAULT_URI", "LIBVIRT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI",
			"LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES",
			"HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "VIRTSH_ROOT":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C", "HOME="+home, "VIRTSH_ROOT="+filepath.Join(home, "root"))
}

// summary collects counts printed after the tests, so that CI's log shows
// how many cases actually ran.
var summary counts

type counts struct {
	differential, golden atomic.Int64
	noVirsh              atomic.Bool
}

func (c *counts) String() string {
	s := fmt.Sprintf("tests: %d differential runs compared with virsh, %d golden outputs checked",
		c.differential.Load(), c.golden.Load())
	if c.noVirsh.Load() {
		s += " (differential tests skipped: virsh is not installed)"
	}
	return s
}
