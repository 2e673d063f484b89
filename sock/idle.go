package sock

import (
	"net"
	"time"
)

// IdleTimeout wraps conn so that every Read must make progress within read
// and every Write within write: each call first moves the connection's
// deadline that far into the future. A zero duration leaves that direction
// without a deadline. A timed-out call returns an error for which
// errors.Is(err, os.ErrDeadlineExceeded) holds; the handler decides what to
// do (usually close the connection by returning).
//
// The wrapper owns the connection's read and write deadlines; do not set
// them yourself on the wrapped connection. Unwrap returns the original
// connection (for *net.TCPConn methods such as CloseWrite).
func IdleTimeout(conn net.Conn, read, write time.Duration) net.Conn {
	if read <= 0 && write <= 0 {
		return conn
	}
	return &idleConn{Conn: conn, read: read, write: write}
}

// idleConn is the net.Conn IdleTimeout returns.
type idleConn struct {
	net.Conn
	read, write time.Duration
}

// Read extends the read deadline and reads.
func (c *idleConn) Read(p []byte) (int, error) {
	if c.read > 0 {
		if err := c.Conn.SetReadDeadline(time.Now().Add(c.read)); err != nil {
			return 0, err
		}
	}
	return c.Conn.Read(p)
}

// Write extends the write deadline and writes.
func (c *idleConn) Write(p []byte) (int, error) {
	if c.write > 0 {
		if err := c.Conn.SetWriteDeadline(time.Now().Add(c.write)); err != nil {
			return 0, err
		}
	}
	return c.Conn.Write(p)
}

// Unwrap returns the wrapped connection.
func (c *idleConn) Unwrap() net.Conn { return c.Conn }
