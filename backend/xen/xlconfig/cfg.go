// Package xlconfig reads and writes xl domain configuration files
// (xl.cfg(5)) and converts them to and from libvirt domain XML the way
// libvirt's xen-xl converter does (src/libxl/xen_xl.c, xen_common.c), so
// that `domxml-to-native xen-xl` and `domxml-from-native xen-xl` give
// libvirt's results. It is pure Go: no Xen host is needed.
package xlconfig

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the type of a setting's value.
type Kind int

const (
	String Kind = iota
	Number
	List
)

// Value is the value of a setting: a string, a number (kept as written)
// or a list of values.
type Value struct {
	Kind Kind
	Str  string  // String and Number
	List []Value // List
}

// Str returns a string value.
func Str(s string) Value { return Value{Kind: String, Str: s} }

// Num returns a number value.
func Num(n int64) Value { return Value{Kind: Number, Str: strconv.FormatInt(n, 10)} }

// Strs returns a list of strings.
func Strs(items ...string) Value {
	v := Value{Kind: List}
	for _, s := range items {
		v.List = append(v.List, Str(s))
	}
	return v
}

// Setting is one "key = value" line.
type Setting struct {
	Key   string
	Value Value
}

// Config is an xl configuration: its settings in file order.
type Config struct {
	Settings []Setting
}

// Get returns the value of key.
func (c *Config) Get(key string) (Value, bool) {
	for _, s := range c.Settings {
		if s.Key == key {
			return s.Value, true
		}
	}
	return Value{}, false
}

// Set replaces the value of key, or appends the setting.
func (c *Config) Set(key string, v Value) {
	for i, s := range c.Settings {
		if s.Key == key {
			c.Settings[i].Value = v
			return
		}
	}
	c.Settings = append(c.Settings, Setting{key, v})
}

// String returns key's value as text (a number's digits too); ok is false
// when the key is missing or a list.
func (c *Config) String(key string) (string, bool) {
	v, ok := c.Get(key)
	if !ok || v.Kind == List {
		return "", false
	}
	return v.Str, true
}

// Strings returns the string items of a list setting (a single string
// counts as a one-item list, as xl accepts for most list settings).
func (c *Config) Strings(key string) []string {
	v, ok := c.Get(key)
	if !ok {
		return nil
	}
	if v.Kind != List {
		return []string{v.Str}
	}
	var out []string
	for _, item := range v.List {
		if item.Kind != List {
			out = append(out, item.Str)
		}
	}
	return out
}

// Uint returns key's value as a number; def when missing. Strings holding
// digits are accepted, as libvirt's xenConfigGetULong does.
func (c *Config) Uint(key string, def uint64) (uint64, error) {
	v, ok := c.Get(key)
	if !ok {
		return def, nil
	}
	if v.Kind == List {
		return 0, fmt.Errorf("config value %s was malformed", key)
	}
	n, err := strconv.ParseUint(v.Str, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("config value %s was malformed", key)
	}
	return n, nil
}

// Bool returns key's value as xl reads a boolean (non-zero or "1" is
// true); def when missing.
func (c *Config) Bool(key string, def bool) (bool, error) {
	v, ok := c.Get(key)
	if !ok {
		return def, nil
	}
	switch v.Kind {
	case Number:
		n, err := strconv.ParseInt(v.Str, 0, 64)
		return n != 0, err
	case String:
		return v.Str == "1", nil
	}
	return false, fmt.Errorf("config value %s was malformed", key)
}

// Format writes the configuration in xl's syntax, one setting a line.
func (c *Config) Format() string {
	var b strings.Builder
	for _, s := range c.Settings {
		b.WriteString(s.Key)
		b.WriteString(" = ")
		writeValue(&b, s.Value)
		b.WriteByte('\n')
	}
	return b.String()
}

func writeValue(b *strings.Builder, v Value) {
	switch v.Kind {
	case Number:
		b.WriteString(v.Str)
	case String:
		b.WriteString(quote(v.Str))
	case List:
		b.WriteString("[ ")
		for i, item := range v.List {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, item)
		}
		b.WriteString(" ]")
	}
}

// quote writes s in double quotes, as libvirt does; a string holding a
// double quote goes in single quotes (xl has no escapes inside quotes).
func quote(s string) string {
	if strings.ContainsRune(s, '"') && !strings.ContainsRune(s, '\'') {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

// Parse reads an xl configuration file: `key = value` settings separated
// by newlines or semicolons, values being quoted strings, numbers or
// bracketed lists (which may span lines), and # comments.
func Parse(text string) (*Config, error) {
	p := &parser{src: text, line: 1}
	cfg := &Config{}
	for {
		p.skipSpace(true)
		if p.eof() {
			return cfg, nil
		}
		if c := p.peek(); c == ';' || c == '\n' {
			p.next()
			continue
		}
		key := p.ident()
		if key == "" {
			return nil, p.errorf("expected a setting name")
		}
		p.skipSpace(false)
		if p.eof() || p.peek() != '=' {
			return nil, p.errorf("expected '=' after %s", key)
		}
		p.next()
		p.skipSpace(false)
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		cfg.Set(key, v)
		p.skipSpace(false)
		if !p.eof() {
			if c := p.peek(); c != '\n' && c != ';' {
				return nil, p.errorf("unexpected %q after the value of %s", c, key)
			}
		}
	}
}

type parser struct {
	src  string
	pos  int
	line int
}

func (p *parser) eof() bool  { return p.pos >= len(p.src) }
func (p *parser) peek() byte { return p.src[p.pos] }
func (p *parser) next() byte {
	c := p.src[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("xl configuration line %d: %s", p.line, fmt.Sprintf(format, args...))
}

// skipSpace skips blanks and comments, and newlines too when newlines is
// set (inside lists, or between settings).
func (p *parser) skipSpace(newlines bool) {
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			p.next()
		case c == '\n' && newlines:
			p.next()
		case c == '#':
			for !p.eof() && p.peek() != '\n' {
				p.next()
			}
		default:
			return
		}
	}
}

func (p *parser) ident() string {
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && p.pos > start {
			p.next()
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

func (p *parser) value() (Value, error) {
	if p.eof() {
		return Value{}, p.errorf("missing value")
	}
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		p.next()
		start := p.pos
		for !p.eof() && p.peek() != c {
			if p.peek() == '\n' {
				return Value{}, p.errorf("unterminated string")
			}
			p.next()
		}
		if p.eof() {
			return Value{}, p.errorf("unterminated string")
		}
		s := p.src[start:p.pos]
		p.next()
		return Str(s), nil
	case c == '[':
		p.next()
		v := Value{Kind: List}
		for {
			p.skipSpace(true)
			if p.eof() {
				return Value{}, p.errorf("unterminated list")
			}
			if p.peek() == ']' {
				p.next()
				return v, nil
			}
			item, err := p.value()
			if err != nil {
				return Value{}, err
			}
			v.List = append(v.List, item)
			p.skipSpace(true)
			if !p.eof() && p.peek() == ',' {
				p.next()
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		p.next()
		for !p.eof() && strings.IndexByte("0123456789abcdefABCDEFxX.", p.peek()) >= 0 {
			p.next()
		}
		return Value{Kind: Number, Str: p.src[start:p.pos]}, nil
	}
	return Value{}, p.errorf("unexpected %q", p.peek())
}
