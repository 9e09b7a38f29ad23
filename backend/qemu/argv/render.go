package argv

import "strings"

// String renders the command as one shell line, environment first, the
// way virsh domxml-to-native prints it.
func (c *Command) String() string {
	return strings.Join(c.words(), " ")
}

// Lines renders the command one word per line joined with " \\\n", the
// layout of libvirt's qemuxmlconfdata .args files.
func (c *Command) Lines() string {
	// Options and their values share a line, as in libvirt's files.
	words := c.words()
	var lines []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "-") && i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") {
			w += " " + words[i+1]
			i++
		}
		lines = append(lines, w)
	}
	return strings.Join(lines, " \\\n") + "\n"
}

func (c *Command) words() []string {
	var out []string
	for _, e := range c.Env {
		k, v, _ := strings.Cut(e, "=")
		out = append(out, k+"="+shellQuote(v))
	}
	out = append(out, shellQuote(c.Path))
	for _, a := range c.Args {
		out = append(out, shellQuote(a))
	}
	return out
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=./,:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
