package pubsub

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the error passed to the error handler when a handler panics.
type PanicError struct {
	// Value is the value given to panic.
	Value any
	// Stack is the stack trace of the panicking goroutine.
	Stack []byte
}

func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Error reports the panic value followed by the stack trace.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic in subscriber: %v\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
