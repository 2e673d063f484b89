package config

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by the errors of getters when a section or key does not
// exist. The ...Or getters return their fallback exactly when the error is
// ErrNotFound.
var ErrNotFound = errors.New("not found")

// ErrInterpolation is wrapped by the errors of getters when a ${...} reference
// cannot be resolved, is malformed, or refers to itself too deeply.
var ErrInterpolation = errors.New("interpolation failed")

// ErrSyntax is wrapped by load errors for text that is not valid INI.
var ErrSyntax = errors.New("syntax error")

// ErrValue is wrapped by typed getters when a value cannot be converted.
var ErrValue = errors.New("bad value")

func notFound(section, key string) error {
	return fmt.Errorf("config: [%s] %s: %w", section, key, ErrNotFound)
}

// valueError is a value that does not parse: its text is the quoted value,
// "is", and why ("not a time: ..."); it wraps ErrValue.
type valueError struct{ value, why string }

func notA(value, why string) error { return &valueError{value: value, why: why} }

func (e *valueError) Error() string {
	return fmt.Sprintf("%q is %s: %s", e.value, e.why, ErrValue)
}

func (e *valueError) Unwrap() error { return ErrValue }

// badValue names pos ("file:line: " or ""), section, key and the quoted value
// as written (raw), followed by what it resolved to when interpolation
// changed it.
func badValue(pos, section, key, raw, value string, err error) error {
	if ve, ok := err.(*valueError); ok && ve.value == value {
		err = fmt.Errorf("%s: %w", ve.why, ErrValue) // the value is quoted once
	}
	if raw != value {
		return fmt.Errorf("config: %s[%s] %s = %q (resolved to %q): %w", pos, section, key, raw, value, err)
	}
	return fmt.Errorf("config: %s[%s] %s = %q: %w", pos, section, key, value, err)
}
