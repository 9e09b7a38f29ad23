package backend

import (
	"errors"
	"fmt"
)

// Code classifies an error. Commands turn codes into exit statuses and into
// the "code" field of JSON error objects, so the strings are part of the
// documented output schema (docs/output.md).
type Code string

const (
	CodeNotFound        Code = "not_found"
	CodeInvalidState    Code = "invalid_state"
	CodeUnsupported     Code = "unsupported"
	CodeInvalidArgument Code = "invalid_argument"
	CodeReadOnly        Code = "read_only"
	CodeXML             Code = "xml_error"
	CodeOperationFailed Code = "operation_failed"
	CodeInternal        Code = "internal"
)

// Sentinel errors, one per code, for errors.Is checks.
var (
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrInvalidState    = &Error{Code: CodeInvalidState}
	ErrUnsupported     = &Error{Code: CodeUnsupported}
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument}
	ErrReadOnly        = &Error{Code: CodeReadOnly}
	ErrXML             = &Error{Code: CodeXML}
	ErrOperationFailed = &Error{Code: CodeOperationFailed}
	ErrInternal        = &Error{Code: CodeInternal}
)

// Error is the error every driver returns. Msg is the complete text in
// libvirt's wording ("Requested operation is not valid: domain is not
// running"), so virsh users see the messages they know.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is matches any *Error of the same code, so errors.Is(err, ErrNotFound) works
// for every not-found error whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func newError(code Code, prefix, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if prefix != "" {
		msg = prefix + ": " + msg
	}
	return &Error{Code: code, Msg: msg}
}

// Constructors with libvirt's message prefixes (virerror.c).

func NoDomain(format string, args ...any) error {
	return newError(CodeNotFound, "Domain not found", format, args...)
}

func NoNetwork(format string, args ...any) error {
	return newError(CodeNotFound, "Network not found", format, args...)
}

func NoPool(format string, args ...any) error {
	return newError(CodeNotFound, "Storage pool not found", format, args...)
}

func NoVolume(format string, args ...any) error {
	return newError(CodeNotFound, "Storage volume not found", format, args...)
}

func NoSnapshot(format string, args ...any) error {
	return newError(CodeNotFound, "Domain snapshot not found", format, args...)
}

func InvalidState(format string, args ...any) error {
	return newError(CodeInvalidState, "Requested operation is not valid", format, args...)
}

func Unsupported(format string, args ...any) error {
	return newError(CodeUnsupported, "this function is not supported by the connection driver", format, args...)
}

func ConfigUnsupported(format string, args ...any) error {
	return newError(CodeUnsupported, "unsupported configuration", format, args...)
}

func InvalidArgument(format string, args ...any) error {
	return newError(CodeInvalidArgument, "invalid argument", format, args...)
}

func ReadOnly(operation string) error {
	return newError(CodeReadOnly, "operation forbidden", "read only access prevents %s", operation)
}

func XMLError(format string, args ...any) error {
	return newError(CodeXML, "XML error", format, args...)
}

func OperationFailed(format string, args ...any) error {
	return newError(CodeOperationFailed, "operation failed", format, args...)
}

func Internal(format string, args ...any) error {
	return newError(CodeInternal, "internal error", format, args...)
}

// Plain is an error of the given code whose message has no prefix.
func Plain(code Code, format string, args ...any) error {
	return newError(code, "", format, args...)
}

// CodeOf returns the code of err, CodeInternal for foreign errors.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
