// Package commands is virtsh's command tree: one small file per command,
// grouped like virsh's help. Commands talk to the backend API only and
// render what it returns through package format.
package commands

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/format"
)

// Env is what a command's run function reads: the streams, the output
// settings of the global options, and the session's connection.
type Env struct {
	In       io.Reader
	Out, Err io.Writer
	Format   format.Format
	Quiet    bool
	Escape   string      // console escape sequence (-e)
	Log      *log.Logger // debug log (-d, -l); nil when off
	Session  *Session
	// Interactive is true in the shell; virsh allows cd only there.
	Interactive bool
	// Aliases are the user's command aliases; the shell expands them.
	Aliases Aliases
	// Exit is set by quit and exit to end the batch or shell.
	Exit bool
	// docs counts the data documents printed, so that YAML documents after
	// the first are separated by "---".
	docs int
	// CompletionConn, when set, is the connection completers read from
	// (the shell gives a caching one); otherwise the session's.
	CompletionConn func(ctx context.Context) (backend.Conn, error)
}

func (e *Env) completionConn(ctx context.Context) (backend.Conn, error) {
	if e.CompletionConn != nil {
		return e.CompletionConn(ctx)
	}
	return e.Conn(ctx)
}

// Conn returns the session's connection, opening it on first use.
func (e *Env) Conn(ctx context.Context) (backend.Conn, error) {
	return e.Session.Conn(ctx)
}

// emit prints v: as data in JSON, YAML or CSV, otherwise through text,
// which writes virsh's layout.
func (e *Env) emit(v any, text func(w io.Writer)) error {
	if e.Format != format.Text {
		if e.Format == format.YAML && e.docs > 0 {
			io.WriteString(e.Out, "---\n")
		}
		e.docs++
		return format.Data(e.Out, e.Format, v)
	}
	text(e.Out)
	return nil
}

// info prints an informational message the way virsh's vshPrintExtra does:
// not at all with -q. With a data format it goes to stderr, so that standard
// output holds only data.
func (e *Env) info(msg string, args ...any) {
	if e.Quiet {
		return
	}
	if e.Format == format.Text {
		fmt.Fprintf(e.Out, msg, args...)
		return
	}
	// On stderr each message is a line of its own: virsh ends some
	// messages with the blank line it prints after every command.
	line := fmt.Sprintf(msg, args...)
	if line != "\n" && !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	io.WriteString(e.Err, line)
}

func (e *Env) debugf(msg string, args ...any) {
	if e.Log != nil {
		e.Log.Printf(msg, args...)
	}
}

// Session is the connection state shared by the commands of one batch or
// shell: the URI, the read-only flag, and the open connection.
type Session struct {
	URI      string // empty: backend.DefaultURI()
	ReadOnly bool
	conn     backend.Conn
}

// Conn opens the connection on first use and keeps it, opening it again
// if it has dropped.
func (s *Session) Conn(ctx context.Context) (backend.Conn, error) {
	if s.conn != nil {
		if l, ok := s.conn.(backend.Liveness); !ok || l.IsAlive() {
			return s.conn, nil
		}
		s.Close() // dropped: open it again
	}
	uri := s.URI
	if uri == "" {
		uri = backend.DefaultURI()
	}
	c, err := backend.Open(ctx, uri, backend.OpenOptions{ReadOnly: s.ReadOnly})
	if err != nil {
		return nil, &cmdError{msg: "failed to connect to the hypervisor", err: err}
	}
	s.URI = uri
	s.conn = c
	return c, nil
}

// Connect replaces the connection with one to uri (the connect command).
// The old connection stays when the new one fails.
func (s *Session) Connect(ctx context.Context, uri string, readOnly bool) error {
	next := &Session{URI: uri, ReadOnly: readOnly}
	if _, err := next.Conn(ctx); err != nil {
		return err
	}
	s.Close()
	*s = *next
	return nil
}

// Close closes the connection, if open.
func (s *Session) Close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}
