package tests

import (
	"encoding/json"
	"strings"
	"testing"
)

// badInputs are inputs that must fail cleanly: virsh's error lines on
// stderr (as many as virsh prints), exit status 1, and no change.
var badInputs = []struct {
	name     string
	opts     []string
	command  string
	errLines int  // virsh's count of "error:" lines
	syntax   bool // a parse error: virsh runs nothing of the chain
}{
	{"unknown command", nil, "nosuchcommand", 1, true},
	{"unknown option", nil, "list --bogus", 1, true},
	{"missing argument", nil, "dominfo", 1, true},
	{"extra argument", nil, "dominfo test extra", 1, true},
	{"malformed XML", nil, "define testdata/malformed.xml", 2, false},
	{"invalid XML", nil, "define testdata/noname.xml", 2, false},
	{"missing XML file", nil, "define testdata/missing.xml", 1, false},
	{"unknown domain", nil, "destroy nosuch", 1, false},
	{"mutating command read-only", []string{"-r"}, "destroy test", 2, false},
	{"define read-only", []string{"-r"}, "define testdata/domain.xml", 2, false},
}

// stateCheck prints what a bad input must leave unchanged.
const stateCheck = "list --all; dumpxml test; net-list --all"

func TestBadInput(t *testing.T) {
	for _, c := range badInputs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := virtsh(t, append(c.opts, c.command)...)
			checkFailure(t, c.command, r, c.errLines)
			checkUnchanged(t, c.opts, c.command, c.syntax)
		})
	}
}

// checkFailure wants exit status 1, nothing but blank lines on stdout, and
// exactly n "error: " lines on stderr.
func checkFailure(t *testing.T, command string, r result, n int) {
	t.Helper()
	if r.code != 1 {
		t.Errorf("%q: exit status %d, want 1", command, r.code)
	}
	if strings.TrimSpace(r.stdout) != "" {
		t.Errorf("%q: stdout %q, want nothing", command, r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "error: ") {
			t.Errorf("%q: stderr line %q is not an error line", command, l)
		}
	}
	if len(lines) != n {
		t.Errorf("%q: %d stderr lines, want %d as virsh prints:\n%s", command, len(lines), n, r.stderr)
	}
}

// checkUnchanged runs the bad command followed by stateCheck in one batch:
// a parse error runs nothing; any other error leaves the state printed by
// stateCheck as it is without the bad command.
func checkUnchanged(t *testing.T, opts []string, command string, syntax bool) {
	t.Helper()
	after := virtsh(t, append(opts, command+"; "+stateCheck)...)
	if syntax {
		if after.code != 1 || after.stdout != "" {
			t.Errorf("%q in a chain: exit status %d and stdout %q, want 1 and nothing run", command, after.code, after.stdout)
		}
		return
	}
	base := virtsh(t, append(opts, stateCheck)...)
	if got := strings.TrimLeft(after.stdout, "\n"); got != base.stdout {
		t.Errorf("%q changed the state (- before, + after):\n%s", command, diff(base.stdout, got))
	}
}

// TestBadInputJSON wants, with -o json, one JSON error object on stderr
// with a documented code and a message.
func TestBadInputJSON(t *testing.T) {
	codes := map[string]bool{
		"not_found": true, "invalid_state": true, "unsupported": true, "invalid_argument": true,
		"read_only": true, "xml_error": true, "operation_failed": true, "internal": true,
	}
	for _, c := range badInputs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := virtsh(t, append(append([]string{"-o", "json"}, c.opts...), c.command)...)
			if r.code != 1 {
				t.Errorf("exit status %d, want 1", r.code)
			}
			var obj struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			dec := json.NewDecoder(strings.NewReader(r.stderr))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&obj); err != nil || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("stderr is not one JSON error object (%v):\n%s", err, r.stderr)
			}
			if !codes[obj.Error.Code] || obj.Error.Message == "" {
				t.Errorf("error object %+v: want a documented code and a message", obj.Error)
			}
		})
	}
}
