package tests

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A differential case is one line of testdata/differential.txt: a command
// string run through virsh and virtsh, each as its own process on
// test:///default, whose stdout, stderr and exit status must agree.
//
// A line may start with tags in brackets:
//
//	[opts: -q -r]    global options given before the commands
//	[nostderr: WHY]  do not compare stderr (WHY says what virsh prints that
//	                 virtsh does not reproduce)
//	[lines: REGEX]   compare only the stdout lines matching REGEX
//	[node: FILE]     connect to test:///ABSOLUTE-FILE, the test driver
//	                 loaded from a node XML file, instead of test:///default
//
// Every case runs as one command-string argument (virsh 'a; b'); a single
// command with no quoting also runs as separate arguments (virsh a b).
type diffCase struct {
	line     int
	uri      string
	opts     []string
	commands string
	noStderr string
	lines    *regexp.Regexp
}

// masks replace what virsh itself varies from run to run, or what names
// the library rather than the hypervisor, in both outputs before comparing.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^(CPU time:\s+).*$`), "${1}<cpu time>"},
	{regexp.MustCompile(`\(Time: [0-9.]+ ms\)`), "(Time: <ms>)"},
	{regexp.MustCompile(`(?m)^last_update \d+$`), "last_update <time>"},
	{regexp.MustCompile(`(?m)^((?:Compiled against library|Using library|Using API|Running hypervisor): ).*$`), "${1}<version>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}`), "<date>"},
	{regexp.MustCompile(`<creationTime>\d+</creationTime>`), "<creationTime>N</creationTime>"},
}

func mask(s string) string {
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

var tagRE = regexp.MustCompile(`^\[(\w+)(?::\s*(.*?))?\]\s+`)

// loadCases reads the differential table.
func loadCases(t *testing.T, path string) []diffCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []diffCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		c, err := parseCase(n, text)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func parseCase(n int, text string) (diffCase, error) {
	c := diffCase{line: n, uri: testURI}
	for {
		m := tagRE.FindStringSubmatch(text)
		if m == nil {
			break
		}
		text = text[len(m[0]):]
		switch m[1] {
		case "opts":
			c.opts = strings.Fields(m[2])
		case "nostderr":
			c.noStderr = m[2]
		case "node":
			uri, err := nodeURI(m[2])
			if err != nil {
				return c, err
			}
			c.uri = uri
		case "lines":
			re, err := regexp.Compile(m[2])
			if err != nil {
				return c, err
			}
			c.lines = re
		default:
			return c, &unknownTagError{m[1]}
		}
	}
	c.commands = text
	return c, nil
}

type unknownTagError struct{ tag string }

func (e *unknownTagError) Error() string { return "unknown tag [" + e.tag + "]" }

// form is one way of giving a case's commands to the program.
type form struct {
	name string
	args []string
}

// forms returns the ways a case runs: the command string as one argument,
// and, for a single command that needs no quoting, its words as separate
// arguments.
func (c diffCase) forms() []form {
	global := append([]string{"-c", c.uri}, c.opts...)
	forms := []form{{"string", append(global[:len(global):len(global)], c.commands)}}
	if !strings.ContainsAny(c.commands, ";'\"\\#\n") {
		forms = append(forms, form{"argv", append(global[:len(global):len(global)], strings.Fields(c.commands)...)})
	}
	return forms
}

// keepLines keeps the lines of s that match re (all lines when re is nil).
func keepLines(s string, re *regexp.Regexp) string {
	if re == nil {
		return s
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if re.MatchString(strings.TrimSuffix(l, "\n")) {
			b.WriteString(l)
		}
	}
	return b.String()
}

func TestDifferential(t *testing.T) {
	virsh, err := exec.LookPath("virsh")
	if err != nil {
		summary.noVirsh.Store(true)
		t.Skip("virsh is not installed (Debian package libvirt-clients): differential tests skipped")
	}
	for _, c := range loadCases(t, "testdata/differential.txt") {
		for _, f := range c.forms() {
			t.Run(c.name(f.name), func(t *testing.T) {
				t.Parallel()
				want := run(t, virsh, "", f.args...)
				got := run(t, virtshBin, "", f.args...)
				summary.differential.Add(1)
				c.compare(t, want, got)
			})
		}
	}
}

func (c diffCase) name(form string) string {
	words := []string{form}
	if c.uri != testURI {
		words = append(words, "-c", filepath.Base(c.uri))
	}
	return strings.Join(append(append(words, c.opts...), c.commands), " ")
}

// nodeURI is the test driver's URI for a node XML file: test:///ABSOLUTE-PATH.
func nodeURI(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", err
	}
	return "test://" + abs, nil
}

// compare reports every difference between virsh's result and virtsh's.
func (c diffCase) compare(t *testing.T, want, got result) {
	t.Helper()
	if w, g := keepLines(mask(want.stdout), c.lines), keepLines(mask(got.stdout), c.lines); w != g {
		t.Errorf("testdata/differential.txt:%d: stdout differs\n%s", c.line, diff(w, g))
	}
	if c.noStderr == "" {
		if w, g := mask(want.stderr), mask(got.stderr); w != g {
			t.Errorf("testdata/differential.txt:%d: stderr differs\n%s", c.line, diff(w, g))
		}
	}
	if want.code != got.code {
		t.Errorf("testdata/differential.txt:%d: exit status: virsh %d, virtsh %d (virtsh stderr: %q)", c.line, want.code, got.code, got.stderr)
	}
}
