package commands

import (
	"errors"
	"fmt"

	"github.com/virtsh/virtsh/backend"
)

// cmdError is a command's failure: virsh's own line ("Failed to destroy
// domain 'x'") and, when the backend said why, its error on a second line.
type cmdError struct {
	msg  string
	err  error
	code backend.Code // when err is nil
}

func (e *cmdError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

func (e *cmdError) Unwrap() error { return e.err }

// Lines returns the error lines virsh prints, each to be prefixed "error: ".
func (e *cmdError) Lines() []string {
	if e.err == nil {
		return []string{e.msg}
	}
	if e.msg == "" {
		return []string{e.err.Error()}
	}
	return []string{e.msg, e.err.Error()}
}

// failed wraps a backend error under virsh's message for the operation.
func failed(err error, msg string, args ...any) error {
	return &cmdError{msg: fmt.Sprintf(msg, args...), err: err}
}

// userError is an error in what the user typed or gave: one line, code
// invalid_argument unless given.
func userError(code backend.Code, msg string, args ...any) error {
	return &cmdError{msg: fmt.Sprintf(msg, args...), code: code}
}

// ErrorLines returns the lines to print for err and its code for JSON.
func ErrorLines(err error) ([]string, backend.Code) {
	var ce *cmdError
	if errors.As(err, &ce) {
		code := ce.code
		if ce.err != nil {
			code = backend.CodeOf(ce.err)
		}
		if code == "" {
			code = backend.CodeInvalidArgument
		}
		return ce.Lines(), code
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return []string{err.Error()}, be.Code
	}
	return []string{err.Error()}, backend.CodeInvalidArgument // a parse error
}
