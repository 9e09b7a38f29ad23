package commands_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/virtsh/virtsh/backend/testdrv"
	"github.com/virtsh/virtsh/commands"
	"github.com/virtsh/virtsh/format"
	"github.com/virtsh/virtsh/shell"
)

// Golden tests of the network, snapshot, storage and host commands.
//
// testdata/GROUP/NAME.cmd holds one case: a first line of global options
// (-c FILE, else test:///default; -r; -q; -o FORMAT) and a second line
// with a virsh command string, run in the group directory. NAME.golden is
// what virsh 9.0.0 printed for it (testdata/record-virsh.sh writes it),
// or, for data formats virsh lacks, what virtsh printed when run with
// -update. Snapshot creation times are masked before comparing.

var update = flag.Bool("update", false, "rewrite the golden files of data-format cases (-o) from virtsh's output")

func init() { time.Local = time.UTC } // record-virsh.sh runs virsh with TZ=UTC

// runGoldenDir runs every case of a testdata group directory.
func runGoldenDir(t *testing.T, group string) {
	t.Helper()
	cases, err := filepath.Glob(filepath.Join("testdata", group, "*.cmd"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in testdata/%s: %v", group, err)
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".cmd")
		t.Run(name, func(t *testing.T) { runGoldenCase(t, path) })
	}
}

func runGoldenCase(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, line, _ := strings.Cut(strings.TrimSuffix(string(raw), "\n"), "\n")
	goldenPath, err := filepath.Abs(strings.TrimSuffix(path, ".cmd") + ".golden")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(path)) // file arguments are relative to the group directory
	env, out, errOut := goldenEnv(t, strings.Fields(opts))
	status := runChain(t, env, line)
	got := fmt.Sprintf("%s--- stderr ---\n%s--- exit %d\n", out, errOut, status)
	if *update && env.Format != format.Text {
		if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := normalize(got), normalize(string(want)); g != w {
		t.Errorf("%s\n--- got ---\n%s--- want ---\n%s", line, g, w)
	}
}

// goldenEnv builds the Env of a case from its global options.
func goldenEnv(t *testing.T, opts []string) (*commands.Env, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	env := &commands.Env{In: strings.NewReader(""), Out: out, Err: errOut, Session: &commands.Session{URI: "test:///default"}}
	for i := 0; i < len(opts); i++ {
		switch opts[i] {
		case "-c":
			i++
			abs, err := filepath.Abs(opts[i])
			if err != nil {
				t.Fatal(err)
			}
			env.Session.URI = "test://" + abs
		case "-r":
			env.Session.ReadOnly = true
		case "-q":
			env.Quiet = true
		case "-o":
			i++
			f, err := format.Parse(opts[i])
			if err != nil {
				t.Fatal(err)
			}
			env.Format = f
		default:
			t.Fatalf("unknown option %q", opts[i])
		}
	}
	return env, out, errOut
}

// runChain runs a virsh command string as virsh's batch mode does: a
// syntax error anywhere runs nothing; otherwise every command runs, and
// the status is the last one's.
func runChain(t *testing.T, env *commands.Env, line string) int {
	argvs, err := shell.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	for _, argv := range argvs {
		if err := commands.Check(env, argv); err != nil {
			commands.ReportError(env, err)
			return 1
		}
	}
	status := 0
	for _, argv := range argvs {
		status = 0
		if commands.Run(context.Background(), env, argv, false) != 0 {
			status = 1
		}
	}
	return status
}

// normalize hides what differs between two runs of the same case: the
// creation times of snapshots.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}`), "YYYY-MM-DD hh:mm:ss +zzzz"},
	{regexp.MustCompile(`<creationTime>\d+</creationTime>`), "<creationTime>T</creationTime>"},
	{regexp.MustCompile(`("?creation_time_seconds"?[:,] ?)\d+`), "${1}T"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

func TestHostGolden(t *testing.T) { runGoldenDir(t, "host") }
