package sock

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// freshGrace is how long a connection that has not been answered yet keeps
// its handler's context after a stop began (see [Handler]).
const freshGrace = time.Second

// States of a handled connection.
const (
	connFresh    = iota // its handler has written nothing yet
	connAnswered        // its handler has written
	connStopping        // a stop began while it was fresh
)

// handledConn is a connection as its handler gets it. It holds back the
// cancellation of the handler's context for a connection that is still
// fresh when a stop begins, until its handler's first Write returned or
// freshGrace passed: a client that connected just before a stop or a
// restart, or during the stop delay, gets its first answer instead of a
// connection closed unanswered by a handler that closes at cancellation.
type handledConn struct {
	net.Conn          // the connection with its idle timeouts
	orig     net.Conn // as accepted
	cancel   context.CancelFunc
	state    atomic.Int32
	grace    atomic.Pointer[time.Timer]
}

// newHandledConn wraps conn for its handler and returns the handler's
// context, which follows the server's context as described at
// handledConn, and a func that releases both once the handler returned.
func newHandledConn(server context.Context, orig, conn net.Conn) (*handledConn, context.Context, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(server))
	c := &handledConn{Conn: conn, orig: orig, cancel: cancel}
	unhook := context.AfterFunc(server, c.stop)
	return c, ctx, func() {
		unhook()
		if t := c.grace.Load(); t != nil {
			t.Stop()
		}
		cancel()
	}
}

// stop runs when the server's context ends: an answered connection's
// context ends at once, a fresh one's after its first Write or freshGrace.
func (c *handledConn) stop() {
	if !c.state.CompareAndSwap(connFresh, connStopping) {
		c.cancel()
		return
	}
	c.grace.Store(time.AfterFunc(freshGrace, c.cancel))
}

// Write writes to the connection; the first Write that returns makes the
// connection answered.
func (c *handledConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.state.Load() != connAnswered && c.state.Swap(connAnswered) == connStopping {
		c.cancel()
	}
	return n, err
}

// Unwrap returns the connection as accepted (a *net.TCPConn or
// *net.UnixConn), for methods such as CloseWrite.
func (c *handledConn) Unwrap() net.Conn { return c.orig }
