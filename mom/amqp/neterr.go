package amqp

import (
	"errors"
	"io"
	"net"
	"syscall"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// connectionTrouble reports whether err says the connection to the broker
// failed, as opposed to the broker refusing the operation. A write that
// fails with a reset or a broken pipe can reach the publisher before the
// connection's reader has noticed the loss, so the session may not look lost
// yet; such errors are retried on the next session, not returned.
func connectionTrouble(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, amqp091.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ae *amqp091.Error
	if errors.As(err, &ae) {
		// 320 connection-forced, 501 frame-error, 505 unexpected-frame,
		// 541 internal-error: the connection is going away.
		switch ae.Code {
		case amqp091.ConnectionForced, amqp091.FrameError, amqp091.UnexpectedFrame, amqp091.InternalError:
			return true
		}
	}
	return false
}
