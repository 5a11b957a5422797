package monitoring

import (
	"errors"
	"fmt"
	"sort"
)

// Code classifies an error so that the transport layer can map it to a status
// without importing this package's internals.
type Code string

// Error codes shared by every domain package.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	// RuleRefused is a refusal by a statutory rule (e.g. activation while a
	// readiness rule fails, R-SEQ-1). Rules carries the unmet rules.
	RuleRefused Code = "rule_refused"
)

// Error is a domain error. Fields maps a field path (as the API names it,
// e.g. "necessity.justification") to a message key that app translates;
// Rules lists the statutory rules that refused an action.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Rules   []Readiness
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// ErrorCode returns the code as a string; app reads it through a small
// consumer-side interface.
func (e *Error) ErrorCode() string { return string(e.Code) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors collects per-field validation failures; Err returns nil when
// none were added, so validators read as a list of checks.
type FieldErrors map[string]string

// Add records a failure for field unless one is already recorded.
func (f FieldErrors) Add(field, key string) {
	if _, ok := f[field]; !ok {
		f[field] = key
	}
}

// Err returns an Invalid *Error carrying the fields, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	return &Error{Code: Invalid, Message: fmt.Sprintf("invalid fields: %v", names), Fields: map[string]string(f)}
}

// ErrorCodeOf returns the Code of err, or "" when err is not a domain error.
func ErrorCodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Validation message keys. app translates them as "validation.<key>".
const (
	MsgRequired   = "required"
	MsgTooLong    = "too_long"
	MsgTooMany    = "too_many"
	MsgInvalid    = "invalid"
	MsgUnknown    = "unknown_value"
	MsgNotFound   = "not_found"
	MsgDuplicate  = "duplicate"
	MsgInFuture   = "in_future"
	MsgBeforeCall = "before_call"
	MsgEmail      = "email"
	MsgDate       = "date"
	MsgYTunnus    = "ytunnus"
	MsgPositive   = "positive"
	MsgURL        = "url"
	MsgPassword   = "password_short"
	MsgForbidden  = "forbidden_purpose"
	MsgTimeZone   = "time_zone"
)
