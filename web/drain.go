package web

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// drainIdle is how long a connection may have been idle (since its last
// answer, or since it was accepted) when the server drains before it is
// closed without an answer. A client in a tight keep-alive loop (wrk, a
// proxy's pool under load) sends its next request well within it and gets
// that answered with "Connection: close"; a connection idle longer, in a
// pool that does not use it, is closed as http.Server.Shutdown would close
// it, at once if it was idle that long already when the drain began.
const drainIdle = 500 * time.Millisecond

// connDrain tracks the connections of one http.Server (its ConnState hook)
// and drains them at a stop without the race of http.Server.Shutdown,
// which closes every idle keep-alive connection at once: a client that
// has just read an answer and written its next request then reads EOF or
// a reset instead of an answer (wrk counts a read error; Go's client hides
// it by retrying idempotent requests). SetKeepAlivesEnabled(false) closes
// idle connections the same way. Instead, once draining, every answer
// says "Connection: close" (net/http then closes the connection after
// it), and only a connection idle for drainIdle is closed unanswered.
type connDrain struct {
	draining atomic.Bool
	conns    sync.Map // net.Conn → *connEntry
	open     atomic.Int64
	changed  chan struct{} // poked while draining, when a connection changes
}

// connEntry is one connection's last state and when it was accepted or
// last became idle (unix nanoseconds).
type connEntry struct {
	state atomic.Int32 // http.ConnState
	idle  atomic.Int64
}

func newConnDrain() *connDrain {
	return &connDrain{changed: make(chan struct{}, 1)}
}

// track is the server's ConnState hook.
func (d *connDrain) track(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		e := &connEntry{}
		e.state.Store(int32(s))
		e.idle.Store(time.Now().UnixNano())
		d.conns.Store(c, e)
		d.open.Add(1)
	case http.StateActive, http.StateIdle:
		v, ok := d.conns.Load(c)
		if !ok {
			return
		}
		e := v.(*connEntry)
		if s == http.StateIdle {
			e.idle.Store(time.Now().UnixNano())
		}
		e.state.Store(int32(s))
		if s == http.StateIdle && d.draining.Load() {
			d.poke()
		}
	case http.StateClosed, http.StateHijacked:
		if _, ok := d.conns.LoadAndDelete(c); ok {
			d.open.Add(-1)
		}
		if d.draining.Load() {
			d.poke()
		}
	}
}

func (d *connDrain) poke() {
	select {
	case d.changed <- struct{}{}:
	default:
	}
}

// handler wraps the server's handler: while draining, every answer asks
// the client to close the connection.
func (d *connDrain) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// start begins the drain: from now on answers say "Connection: close".
func (d *connDrain) start() { d.draining.Store(true) }

// wait waits until every connection has closed, closing those that have
// been idle for idle, or until ctx ends; it returns the number of
// connections still open. Connections with a request in flight are left to
// the caller (http.Server.Shutdown).
func (d *connDrain) wait(ctx context.Context, idle time.Duration) int {
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		if n := d.open.Load(); n == 0 || ctx.Err() != nil {
			return int(n)
		}
		now := time.Now().UnixNano()
		next := int64(0) // the earliest time an idle connection is due
		d.conns.Range(func(k, v any) bool {
			e := v.(*connEntry)
			if s := http.ConnState(e.state.Load()); s != http.StateIdle && s != http.StateNew {
				return true
			}
			due := e.idle.Load() + int64(idle)
			if due <= now {
				_ = k.(net.Conn).Close() // its server goroutine reports StateClosed
				return true
			}
			if next == 0 || due < next {
				next = due
			}
			return true
		})
		if next != 0 {
			timer.Reset(time.Duration(next - now))
		}
		select {
		case <-d.changed:
		case <-timer.C:
		case <-ctx.Done():
		}
	}
}
