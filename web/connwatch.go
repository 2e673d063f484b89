package web

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connWatch enforces read_header_timeout and idle_timeout on a container's
// connections. net/http enforces them with read deadlines that it sets
// and clears two or three times per request, each a change to the
// runtime's timer heap; here one goroutine per container looks over the
// connections every tick instead, and a request costs two atomic stores
// (from the http.Server's ConnState hook) and one atomic load per read.
//
// A connection is timed from the tick its state last changed:
//   - new (accepted, first request's headers not complete) or reading
//     (idle, and the next request's first bytes have arrived): closed after
//     read_header_timeout;
//   - idle (waiting for the next request): closed after idle_timeout;
//   - active (a request being handled): never; read_timeout and
//     write_timeout bound reading and writing (see Container.core).
//
// A limit is enforced to within two ticks, a tick being a tenth of the
// shorter limit (at least 5 ms, at most 1 s): a connection is never closed
// before its limit and less than two ticks after it, which is at most 20%
// of a limit of 50 ms or more.
type connWatch struct {
	header, idle time.Duration
	tick         time.Duration
	now          atomic.Int64 // ticks since the watch started

	mu    sync.Mutex
	conns map[*watchedConn]struct{}
}

// Connection states as the watch sees them.
const (
	connNew uint32 = iota
	connActive
	connIdle
	connReading // idle, and the next request has begun to arrive
)

func newConnWatch(header, idle time.Duration) *connWatch {
	shortest := header
	if shortest <= 0 || (idle > 0 && idle < shortest) {
		shortest = idle
	}
	tick := min(max(shortest/10, 5*time.Millisecond), time.Second)
	return &connWatch{header: header, idle: idle, tick: tick, conns: map[*watchedConn]struct{}{}}
}

// enabled reports whether there is any limit to watch.
func (w *connWatch) enabled() bool { return w.header > 0 || w.idle > 0 }

// listener wraps ln so that the connections it accepts are watched. It
// wraps the plain listener, under any TLS layer, so a slow TLS handshake
// counts against read_header_timeout too.
func (w *connWatch) listener(ln net.Listener) net.Listener {
	if !w.enabled() {
		return ln
	}
	return &watchedListener{Listener: ln, w: w}
}

// run advances the watch's clock every tick and closes the connections
// past their limit, until ctx is done.
func (w *connWatch) run(ctx context.Context) {
	if !w.enabled() {
		return
	}
	t := time.NewTicker(w.tick)
	defer t.Stop()
	headerTicks := int64(w.header/w.tick) + 1
	idleTicks := int64(w.idle/w.tick) + 1
	var late []*watchedConn
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := w.now.Add(1)
		late = late[:0]
		w.mu.Lock()
		for c := range w.conns {
			age := now - c.since.Load()
			switch c.state.Load() {
			case connNew, connReading:
				if w.header > 0 && age > headerTicks {
					late = append(late, c)
				}
			case connIdle:
				if w.idle > 0 && age > idleTicks {
					late = append(late, c)
				}
			}
		}
		for _, c := range late {
			delete(w.conns, c)
		}
		w.mu.Unlock()
		for _, c := range late {
			_ = c.Conn.Close()
		}
		clear(late)
	}
}

// connState is the http.Server's ConnState hook.
func (w *connWatch) connState(nc net.Conn, s http.ConnState) {
	c := watched(nc)
	if c == nil {
		return
	}
	switch s {
	case http.StateActive:
		c.set(connActive)
	case http.StateIdle:
		c.set(connIdle)
	case http.StateClosed, http.StateHijacked:
		w.mu.Lock()
		delete(w.conns, c)
		w.mu.Unlock()
	}
}

// watched returns the watched connection under nc (a TLS connection's
// too), or nil.
func watched(nc net.Conn) *watchedConn {
	if t, ok := nc.(*tls.Conn); ok {
		nc = t.NetConn()
	}
	c, _ := nc.(*watchedConn)
	return c
}

// watchedListener registers every connection it accepts with its watch.
type watchedListener struct {
	net.Listener
	w *connWatch
}

// Accept implements net.Listener.
func (l *watchedListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &watchedConn{Conn: nc, w: l.w}
	c.since.Store(l.w.now.Load())
	l.w.mu.Lock()
	l.w.conns[c] = struct{}{}
	l.w.mu.Unlock()
	return c, nil
}

// watchedConn is an accepted connection with the state its watch times.
// It forwards CloseWrite and ReadFrom, which net/http uses when the
// underlying connection has them (a graceful close, sendfile).
type watchedConn struct {
	net.Conn
	w     *connWatch
	state atomic.Uint32
	since atomic.Int64 // the watch's tick when state last changed

	// readDL and writeDL say whether a deadline may be set, so that
	// clearing one that is not set, which net/http does two or three times
	// per request, skips the runtime's timer code (see setOne).
	readDL, writeDL atomic.Bool
}

func (c *watchedConn) set(s uint32) {
	c.since.Store(c.w.now.Load())
	c.state.Store(s)
}

// Read implements net.Conn; the first bytes of a request on an idle
// connection start its header clock.
func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.state.Load() == connIdle {
		c.since.Store(c.w.now.Load())
		c.state.CompareAndSwap(connIdle, connReading)
	}
	return n, err
}

// SetDeadline implements net.Conn; clearing deadlines that are not set
// does nothing.
func (c *watchedConn) SetDeadline(t time.Time) error {
	if t.IsZero() {
		if !c.readDL.Load() && !c.writeDL.Load() {
			return nil
		}
		c.readDL.Store(false)
		c.writeDL.Store(false)
		return c.Conn.SetDeadline(t)
	}
	c.readDL.Store(true)
	c.writeDL.Store(true)
	err := c.Conn.SetDeadline(t)
	c.readDL.Store(true) // see setOne
	c.writeDL.Store(true)
	return err
}

// SetReadDeadline implements net.Conn; clearing a deadline that is not
// set does nothing.
func (c *watchedConn) SetReadDeadline(t time.Time) error {
	return setOne(&c.readDL, t, c.Conn.SetReadDeadline)
}

// SetWriteDeadline implements net.Conn; clearing a deadline that is not
// set does nothing.
func (c *watchedConn) SetWriteDeadline(t time.Time) error {
	return setOne(&c.writeDL, t, c.Conn.SetWriteDeadline)
}

// setOne sets a deadline with set, unless t clears a deadline that is not
// set. isSet is true whenever the deadline is set (it may also be true
// when it is not, which costs one needless clear), without a lock even
// when goroutines set and clear at once: it turns false only just before
// a clear, and a setter stores true again after its deadline is in place,
// so a deadline put in place after that clear is always followed by true.
func setOne(isSet *atomic.Bool, t time.Time, set func(time.Time) error) error {
	if t.IsZero() {
		if !isSet.Load() {
			return nil
		}
		isSet.Store(false)
		return set(t)
	}
	isSet.Store(true)
	err := set(t)
	isSet.Store(true)
	return err
}

// CloseWrite shuts down the writing side when the connection can.
func (c *watchedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom lets the underlying connection copy from r (sendfile on TCP).
func (c *watchedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// NetConn returns the connection the listener accepted (a *net.TCPConn or
// *net.UnixConn), for code that needs its concrete type, e.g. after
// hijacking. Set deadlines on the watched connection, not on this one:
// the watched connection keeps track of the deadlines set through it.
func (c *watchedConn) NetConn() net.Conn { return c.Conn }
