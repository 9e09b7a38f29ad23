package commands

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/virtsh/virtsh/backend"
)

// editorFile is a temporary file the user edits in their editor, as
// virsh's vshEditWriteToTempFile, vshEditFile and vshEditReadBackFile do.
type editorFile struct{ path string }

// newEditorFile writes text to a new temporary file (in $TMPDIR or /tmp).
func newEditorFile(text string) (*editorFile, error) {
	f, err := os.CreateTemp("", "virsh*.xml")
	if err != nil {
		return nil, userError(backend.CodeOperationFailed, "%s: temporary filename could not be created: %s", filepath.Join(os.TempDir(), "virshXXXXXX.xml"), errnoText(err))
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		os.Remove(f.Name())
		return nil, userError(backend.CodeOperationFailed, "%s: write: %s", f.Name(), errnoText(err))
	}
	return &editorFile{path: f.Name()}, nil
}

func (f *editorFile) remove() { os.Remove(f.path) }

// acceptedPathChars are the characters virsh lets into the editor's
// command line.
const acceptedPathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_.:@"

// edit runs $VISUAL, else $EDITOR, else vi on the file through sh, on
// the terminal, and returns the file's new content.
func (f *editorFile) edit() (string, error) {
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	if strings.Trim(f.path, acceptedPathChars) != "" {
		return "", userError("", "%s: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)", f.path)
	}
	cmdline := editor + " " + f.path
	cmd := exec.Command("sh", "-c", cmdline)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", backendError(backend.Internal("Child process (%s) unexpected exit status %d", cmdline, exit.ExitCode()))
		}
		return "", backendError(backend.Internal("Unable to run %s: %v", cmdline, err))
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return "", userError(backend.CodeOperationFailed, "%s: failed to read temporary file: %s", f.path, errnoText(err))
	}
	return string(b), nil
}

func newEditCmd(env *Env) *cobra.Command {
	var o struct {
		domain       string
		skipValidate bool
	}
	cmd := &cobra.Command{
		Use:   "edit",
		Short: "edit XML configuration for a domain",
		Long:  "Edit the XML configuration for a domain.",
	}
	domainArg(cmd, &o.domain)
	cmd.Flags().BoolVar(&o.skipValidate, "skip-validate", false, "skip validation of the XML against the schema")
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		ctx := c.Context()
		conn, d, err := lookupDomain(ctx, env, o.domain)
		if err != nil {
			return err
		}
		s := &editSession{env: env, doms: conn.Domains(), name: d.Name, validate: !o.skipValidate}
		return s.run(ctx)
	}
	return cmd
}

// editSession is one run of edit: the XML the user started from, the
// file they edit, and whether the next define validates.
type editSession struct {
	env      *Env
	doms     backend.DomainService
	name     string
	validate bool
	in       *bufio.Reader
}

var editXMLOptions = backend.XMLOptions{Inactive: true, Secure: true}

// run follows virsh-edit.c: edit, stop if unchanged, check nobody else
// changed the domain meanwhile, define, and on failure ask what to do.
func (s *editSession) run(ctx context.Context) error {
	orig, err := s.doms.XML(ctx, s.name, editXMLOptions)
	if err != nil {
		return backendError(err)
	}
	file, err := newEditorFile(orig)
	if err != nil {
		return err
	}
	defer file.remove()
	for {
		edited, err := file.edit()
		if err != nil {
			return err
		}
		if edited == orig {
			s.env.info("Domain '%s' XML configuration not changed.\n", s.name)
			return nil
		}
		again, err := s.define(ctx, orig, edited)
		if !again {
			return err
		}
	}
}

// define defines the edited XML, asking again after each failure; it
// returns whether the user wants to edit again.
func (s *editSession) define(ctx context.Context, orig, edited string) (bool, error) {
	relaxAvailable := s.validate
	validate := s.validate
	for {
		msg := "Failed."
		now, err := s.doms.XML(ctx, s.name, editXMLOptions)
		var d backend.DomainInfo
		switch {
		case err != nil:
		case now != orig:
			msg, err = "The XML configuration was changed by another user.", nil
		default:
			if d, err = s.doms.Define(ctx, edited, backend.DefineOptions{Validate: validate}); err == nil {
				s.env.info("Domain '%s' XML configuration edited.\n", d.Name)
				return false, nil
			}
		}
		if err != nil {
			ReportError(s.env, backendError(err))
		}
		switch s.ask(msg, relaxAvailable) {
		case 'y':
			return true, nil
		case 'n':
			return false, nil
		case 'i':
			validate, relaxAvailable = false, false
		case 'f':
		default: // no more answers
			return false, userError(backend.CodeOperationFailed, "%s", msg)
		}
	}
}

// ask prints virsh's question (vshAskReedit) and reads the answer from
// env.In, one character at a time; it returns 0 at the end of input.
func (s *editSession) ask(msg string, relaxAvailable bool) byte {
	if s.in == nil {
		s.in = bufio.NewReader(s.env.In)
	}
	choices := "[y,n,f,?]"
	if relaxAvailable {
		choices = "[y,n,i,f,?]"
	}
	out := s.env.Out
	prompt := true
	for {
		if prompt {
			fmt.Fprintf(out, "\r%s Try again? %s: ", msg, choices)
		}
		c, err := s.in.ReadByte()
		if err != nil {
			io.WriteString(out, "\r\n")
			return 0
		}
		c = byte(strings.ToLower(string(c))[0])
		prompt = true
		switch {
		case c == '?':
			io.WriteString(out, "\n"+strings.Join([]string{
				"y - yes, start editor again",
				"n - no, throw away my changes",
				"i - turn off validation and try to redefine again",
				"f - force, try to redefine again",
				"? - print this help",
			}, "\n")+"\n")
		case c == 'y' || c == 'n' || c == 'f' || c == 'i' && relaxAvailable:
			io.WriteString(out, "\r\n")
			return c
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			prompt = false // the rest of a typed line
		}
	}
}
