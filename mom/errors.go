package mom

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by the methods of a broker that was closed.
var ErrClosed = errors.New("mom: broker closed")

// retryError marks a transient failure: the message goes back to the queue.
type retryError struct{ err error }

func (r *retryError) Error() string { return "retry: " + r.err.Error() }
func (r *retryError) Unwrap() error { return r.err }

// Retry wraps err as a transient failure: a handler that returns it has its
// message requeued (delivered again, with Redelivered set) instead of
// rejected. Retry(nil) is nil.
func Retry(err error) error {
	if err == nil {
		return nil
	}
	return &retryError{err: err}
}

// IsRetry reports whether err (or an error it wraps) was made by Retry.
func IsRetry(err error) bool {
	var r *retryError
	return errors.As(err, &r)
}

// ErrorHeader is the header that carries a handler's error in a reply.
const ErrorHeader = "x-asab-error"

// RemoteError is returned by Request when the handler that served the
// request failed; Message is its error text.
type RemoteError struct {
	// Target is the target (routing key) the request was sent to.
	Target string
	// Message is the remote handler's error text, taken from the reply's
	// ErrorHeader.
	Message string
}

// Error names the target and the remote handler's error text.
func (e *RemoteError) Error() string {
	return fmt.Sprintf("mom: request to %q failed remotely: %s", e.Target, e.Message)
}
