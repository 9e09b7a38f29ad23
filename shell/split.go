// Package shell is virtsh's front end: global options, batch mode (command
// strings and standard input), and the interactive shell. It splits lines
// into commands with virsh's quoting rules and runs them through package
// commands.
package shell

import (
	"errors"
	"strings"
)

// Split cuts input into commands with virsh's rules (vsh.c,
// vshCommandStringGetArg): blanks separate words; an unquoted ';' or newline
// ends a command; single quotes quote everything; double quotes quote all
// but backslash (an open double quote is an error, an open single quote
// runs to the end); a backslash outside single quotes takes the next character
// literally, and backslash-newline is elided; a word starting with an
// unquoted '#' is a comment to the end of the line. Empty commands are
// dropped.
func Split(input string) ([][]string, error) {
	var (
		cmds [][]string
		cur  []string
	)
	endCommand := func() {
		if len(cur) > 0 {
			cmds = append(cmds, cur)
			cur = nil
		}
	}
	p := input
	for {
		for len(p) > 0 && (p[0] == ' ' || p[0] == '\t' || strings.HasPrefix(p, "\\\n")) {
			if p[0] == '\\' {
				p = p[1:]
			}
			p = p[1:]
		}
		if p == "" {
			endCommand()
			return cmds, nil
		}
		switch p[0] {
		case ';', '\n':
			endCommand()
			p = p[1:]
			continue
		case '#':
			if i := strings.IndexByte(p, '\n'); i >= 0 {
				p = p[i+1:]
			} else {
				p = ""
			}
			endCommand()
			continue
		}
		word, rest, err := splitWord(p)
		if err != nil {
			return nil, err
		}
		cur = append(cur, word)
		p = rest
	}
}

// splitWord reads one word from the start of p, which is not blank.
func splitWord(p string) (word, rest string, err error) {
	var b strings.Builder
	var single, double bool
	for len(p) > 0 {
		c := p[0]
		switch {
		case !single && !double && (c == ' ' || c == '\t' || c == ';' || c == '\n'):
			return b.String(), p, nil
		case !double && c == '\'':
			single = !single
			p = p[1:]
			continue
		case !single && c == '"':
			double = !double
			p = p[1:]
			continue
		case !single && c == '\\':
			p = p[1:]
			if p == "" {
				return "", "", errors.New("dangling \\")
			}
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		b.WriteByte(p[0])
		p = p[1:]
	}
	if double {
		return "", "", errors.New(`missing "`)
	}
	return b.String(), "", nil // an open single quote ends with the input, as in virsh
}
