package tests

import "testing"

// batchCases check virtsh's batch mode: command strings, arguments and
// standard input (not a terminal), with virsh's splitting rules and exit
// status (the last command's), and --errexit.
var batchCases = []struct {
	name   string
	stdin  string
	args   []string
	stdout string
	stderr string
	code   int
}{
	{"string, two commands", "", []string{"echo a; echo b"}, "a\nb\n", "", 0},
	{"string, newline separates", "", []string{"echo a\necho b"}, "a\nb\n", "", 0},
	{"string, quotes and backslash", "", []string{`echo 'a;b' "c d" e\ f`}, "a;b c d e f\n", "", 0},
	{"string, comment", "", []string{"echo a # echo b"}, "a\n", "", 0},
	{"string, backslash-newline joins", "", []string{"echo a\\\nb"}, "ab\n", "", 0},
	{"string, last command fails", "", []string{"echo a; destroy nosuch"}, "a\n\n", notFound, 1},
	{"string, middle command fails", "", []string{"echo a; destroy nosuch; echo b"}, "a\n\nb\n", notFound, 0},
	{"string, quit ends the chain", "", []string{"echo a; quit; echo b"}, "a\n", "", 0},
	{"argv, one command", "", []string{"echo", "a;b", "c d"}, "a;b c d\n", "", 0},
	{"argv, ';' is a word", "", []string{"echo", "a", ";", "echo", "b"}, "a ; echo b\n", "", 0},
	{"stdin, lines and ';'", "echo a\necho b; echo 'c d'\n", nil, "a\nb\nc d\n", "", 0},
	{"stdin, comments and backslash", "# a comment\necho e\\ f # trailing\n\n", nil, "e f\n", "", 0},
	{"stdin, state carries over", "destroy test\ndomstate test\n", nil, "Domain 'test' destroyed\n\nshut off\n\n", "", 0},
	{"stdin, last command fails", "echo a\ndestroy nosuch\n", nil, "a\n\n", notFound, 1},
	{"stdin, earlier command fails", "destroy nosuch\necho a\n", nil, "\na\n", notFound, 0},
	{"stdin, quit", "echo a\nquit\necho b\n", nil, "a\n", "", 0},
	{"errexit string", "", []string{"--errexit", "echo a; destroy nosuch; echo b"}, "a\n\n", notFound, 1},
	{"errexit stdin", "echo a\ndestroy nosuch\necho b\n", []string{"--errexit"}, "a\n\n", notFound, 1},
	{"errexit success", "", []string{"--errexit", "echo a; echo b"}, "a\nb\n", "", 0},
	{"quiet drops messages", "", []string{"-q", "destroy test; domstate test"}, "shut off\n", "", 0},
}

// notFound is what virsh prints for the unknown domain of the cases.
const notFound = "error: failed to get domain 'nosuch'\n"

func TestBatch(t *testing.T) {
	for _, c := range batchCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := virtshStdin(t, c.stdin, c.args...)
			if r.stdout != c.stdout {
				t.Errorf("stdout (- want, + virtsh):\n%s", diff(c.stdout, r.stdout))
			}
			if r.code != c.code {
				t.Errorf("exit status %d, want %d (stderr %q)", r.code, c.code, r.stderr)
			}
			if r.stderr != c.stderr {
				t.Errorf("stderr %q, want %q", r.stderr, c.stderr)
			}
		})
	}
}
