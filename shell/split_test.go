package shell

import (
	"reflect"
	"testing"
)

// The expectations are what virsh 9.0's parser gives for the same input
// (checked with `virsh -c test:///default 'echo ...'`).
func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want [][]string
		err  string
	}{
		{in: `echo a 'b c' "d e"`, want: [][]string{{"echo", "a", "b c", "d e"}}},
		{in: `echo a\ b`, want: [][]string{{"echo", "a b"}}},
		{in: `echo "a\"b"`, want: [][]string{{"echo", `a"b`}}},
		{in: `echo 'a\b'`, want: [][]string{{"echo", `a\b`}}},
		{in: `echo a;echo b`, want: [][]string{{"echo", "a"}, {"echo", "b"}}},
		{in: "echo a\necho b", want: [][]string{{"echo", "a"}, {"echo", "b"}}},
		{in: `echo a # comment; echo b`, want: [][]string{{"echo", "a"}}},
		{in: "echo a # comment\necho b", want: [][]string{{"echo", "a"}, {"echo", "b"}}},
		{in: "#x\necho y", want: [][]string{{"echo", "y"}}},
		{in: `echo a#b`, want: [][]string{{"echo", "a#b"}}},
		{in: `echo "a;b" 'c;d'`, want: [][]string{{"echo", "a;b", "c;d"}}},
		{in: `echo "a # b"`, want: [][]string{{"echo", "a # b"}}},
		{in: `echo 'a`, want: [][]string{{"echo", "a"}}},
		{in: `echo ""`, want: [][]string{{"echo", ""}}},
		{in: `echo ''x`, want: [][]string{{"echo", "x"}}},
		{in: "echo a\\\nb", want: [][]string{{"echo", "ab"}}},
		{in: "echo a \\\n b", want: [][]string{{"echo", "a", "b"}}},
		{in: `echo a; ; echo b`, want: [][]string{{"echo", "a"}, {"echo", "b"}}},
		{in: "  \t ", want: nil},
		{in: `dominfo --domain=test`, want: [][]string{{"dominfo", "--domain=test"}}},
		{in: `echo "a`, err: `missing "`},
		{in: `echo a\`, err: `dangling \`},
	} {
		got, err := Split(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Split(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Split(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Split(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{`echo 'a' "b\"" c\ d; e # f`, "a\nb", `"`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmds, err := Split(s)
		if err != nil {
			return
		}
		for _, c := range cmds {
			if len(c) == 0 {
				t.Fatalf("Split(%q) returned an empty command", s)
			}
		}
	})
}
