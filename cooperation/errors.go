package cooperation

import (
	"fmt"
	"unicode/utf8"
)

// Code classifies an error; app reads it through ErrorCode.
type Code string

// Error codes, the same vocabulary as package monitoring's.
const (
	Invalid     Code = "invalid"
	NotFound    Code = "not_found"
	Conflict    Code = "conflict"
	Forbidden   Code = "forbidden"
	RuleRefused Code = "rule_refused"
	// DeadlineBroken: an action would break a statutory time limit (the
	// API answers 422 with the rules, SPEC "POST …/proposal").
	DeadlineBroken Code = "deadline_broken"
)

// Error is a co-operation error: Fields maps a field to a message key
// ("validation.<key>"), Rules lists refusing statutory rules.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Rules   []RuleResult
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// ErrorCode returns the code as a string.
func (e *Error) ErrorCode() string { return string(e.Code) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Limits of free text.
const (
	MaxShort = 200
	MaxText  = 20000
)

type fieldErrors map[string]string

func (f fieldErrors) add(field, key string) {
	if _, ok := f[field]; !ok {
		f[field] = key
	}
}

func (f fieldErrors) text(field, v string, required bool) {
	switch {
	case required && blank(v):
		f.add(field, "required")
	case !utf8.ValidString(v):
		f.add(field, "invalid")
	case utf8.RuneCountInString(v) > MaxText:
		f.add(field, "too_long")
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "invalid fields", Fields: map[string]string(f)}
}

func itoa(i int) string { return fmt.Sprint(i) }
