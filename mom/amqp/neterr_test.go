package amqp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

func TestConnectionTrouble(t *testing.T) {
	reset := &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.ECONNRESET)}
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{amqp091.ErrClosed, true},
		{fmt.Errorf("publish: %w", reset), true},
		{syscall.EPIPE, true},
		{&amqp091.Error{Code: amqp091.ConnectionForced, Reason: "CONNECTION_FORCED - shutdown"}, true},
		{&amqp091.Error{Code: amqp091.NotFound, Reason: "NOT_FOUND - no exchange"}, false},
		{&amqp091.Error{Code: amqp091.AccessRefused, Reason: "ACCESS_REFUSED"}, false},
		{errors.New("message too large"), false},
	}
	for _, c := range cases {
		if got := connectionTrouble(c.err); got != c.want {
			t.Errorf("connectionTrouble(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
