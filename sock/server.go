package sock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/logging"
)

// Handler serves one connection. It runs in its own goroutine; ctx is
// cancelled when the application stops (or the server shuts down), and the
// connection is closed after the handler returns. A handler that ignores ctx
// still ends: its connection is closed when the shutdown grace runs out, so
// its next Read or Write fails.
//
// For a connection the handler has not written to yet when the stop
// begins, ctx is cancelled only once its first Write returned, or a second
// after the stop began: a client that connected just before a stop or a
// restart gets its first answer even from a handler that closes at
// cancellation. conn wraps the accepted connection; its Unwrap method
// returns that one.
type Handler func(ctx context.Context, conn net.Conn)

// Stats are a server's connection counters.
type Stats struct {
	Open       int64  // connections being handled now
	Total      uint64 // connections accepted since the server started
	LimitWaits uint64 // times an accepted connection waited for a free slot
}

// Server is a set of listeners sharing one handler and one connection
// limit. Create it with Service.CreateServer.
type Server struct {
	handler Handler
	cfg     ServerConfig
	log     *logging.Logger
	ctx     context.Context // the handlers' context
	cancel  context.CancelFunc

	listeners []net.Listener
	addrs     []Addr
	label     string        // the server label of its metrics
	slots     chan struct{} // one token per running handler

	acceptWG   sync.WaitGroup
	handlersWG sync.WaitGroup
	closing    chan struct{} // closed when the listeners close
	closeOnce  sync.Once

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	forced bool // open connections were closed by Shutdown

	open, total, waits atomic.Int64
	lastLimitLog       atomic.Int64 // unix nanoseconds
}

// opener makes the listeners of one address (one, or for Systemd every
// socket systemd passed).
type opener func(ctx context.Context, a Addr) ([]net.Listener, error)

// newServer binds every address with open; on failure it closes what it
// opened.
func newServer(ctx, parent context.Context, log *logging.Logger, handler Handler, cfg ServerConfig, open opener) (*Server, error) {
	if handler == nil {
		return nil, errors.New("sock: create server: nil handler")
	}
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("sock: create server: no address to listen on")
	}
	s := &Server{
		handler: handler, cfg: cfg, log: log,
		slots:   make(chan struct{}, cfg.maxConnections()),
		closing: make(chan struct{}),
		conns:   map[net.Conn]struct{}{},
	}
	for _, a := range cfg.Addrs {
		ls, err := open(ctx, a)
		if err != nil {
			for _, l := range s.listeners {
				l.Close()
			}
			return nil, err
		}
		for _, l := range ls {
			s.listeners = append(s.listeners, l)
			s.addrs = append(s.addrs, Addr{Network: l.Addr().Network(), Address: l.Addr().String()})
		}
	}
	s.label = serverLabel(s.addrs)
	s.ctx, s.cancel = context.WithCancel(parent)
	for _, l := range s.listeners {
		s.acceptWG.Add(1)
		go s.acceptLoop(l)
	}
	return s, nil
}

// Addrs returns the bound addresses, in the order they were given; a TCP
// port 0 is replaced by the port the kernel chose.
func (s *Server) Addrs() []Addr { return append([]Addr(nil), s.addrs...) }

// Stats returns the server's connection counters.
func (s *Server) Stats() Stats {
	return Stats{Open: s.open.Load(), Total: uint64(s.total.Load()), LimitWaits: uint64(s.waits.Load())}
}

// acceptLoop accepts connections on l until it is closed. Each connection
// needs a free slot before its handler starts; while none is free the loop
// holds the accepted connection and accepts no more, so further clients
// wait in the kernel's listen backlog.
func (s *Server) acceptLoop(l net.Listener) {
	defer s.acceptWG.Done()
	var delay time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Error().Err(err).Str("listen", l.Addr().String()).Dur("retry_in", delay).Msg("Accept failed")
			select {
			case <-time.After(delay):
				continue
			case <-s.closing:
				return
			}
		}
		delay = 0
		if !s.takeSlot(l) {
			conn.Close()
			return
		}
		s.serve(conn)
	}
}

// takeSlot waits for a free connection slot; false when the server closes
// first.
func (s *Server) takeSlot(l net.Listener) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	n := s.waits.Add(1)
	now := time.Now().UnixNano()
	if last := s.lastLimitLog.Load(); now-last > int64(time.Second) && s.lastLimitLog.CompareAndSwap(last, now) {
		s.log.Warning().Int("max_connections", cap(s.slots)).Int64("limit_waits", n).Str("listen", l.Addr().String()).
			Msg("Connection limit reached; new connections wait in the listen backlog")
	}
	select {
	case s.slots <- struct{}{}:
		return true
	case <-s.closing:
		return false
	}
}

// serve runs the handler for conn in a new goroutine.
func (s *Server) serve(conn net.Conn) {
	s.mu.Lock()
	if s.forced {
		s.mu.Unlock()
		conn.Close()
		<-s.slots
		return
	}
	s.conns[conn] = struct{}{}
	s.mu.Unlock()
	s.open.Add(1)
	s.total.Add(1)
	s.handlersWG.Add(1)
	go func() {
		defer s.handlersWG.Done()
		defer func() { <-s.slots }()
		defer s.release(conn)
		defer s.recoverHandler(conn)
		hc, ctx, done := newHandledConn(s.ctx, conn, IdleTimeout(conn, s.cfg.ReadTimeout, s.cfg.WriteTimeout))
		defer done()
		s.handler(ctx, hc)
	}()
}

func (s *Server) release(conn net.Conn) {
	conn.Close()
	s.mu.Lock()
	delete(s.conns, conn)
	s.mu.Unlock()
	s.open.Add(-1)
}

func (s *Server) recoverHandler(conn net.Conn) {
	if r := recover(); r != nil {
		s.log.Error().Str("remote", conn.RemoteAddr().String()).Str("panic", fmt.Sprint(r)).
			Str("stack", string(debug.Stack())).Msg("Connection handler panicked; connection closed")
	}
}

// CloseListeners stops accepting: the listeners close (a unix socket file
// is removed) and the handlers' context is cancelled. Connections being
// handled stay open. It is safe to call more than once.
func (s *Server) CloseListeners() {
	s.closeOnce.Do(func() {
		close(s.closing)
		for _, l := range s.listeners {
			if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				s.log.Warning().Err(err).Str("listen", l.Addr().String()).Msg("Closing the listener failed")
			}
		}
		s.cancel()
	})
}

// Shutdown closes the listeners (cancelling the handlers' context) and
// gives the open connections until shortly before ctx's deadline: the last
// tenth of the remaining time, at most one second, is kept to close the
// connections still open and let their handlers return. Without a deadline
// the connections are closed when ctx is done. Shutdown returns nil once
// every handler returned, or an error saying how many still run when ctx
// ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.CloseListeners()
	s.acceptWG.Wait()
	done := make(chan struct{})
	go func() { s.handlersWG.Wait(); close(done) }()
	var graceOver <-chan time.Time
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline)
		t := time.NewTimer(left - min(left/10, time.Second))
		defer t.Stop()
		graceOver = t.C
	}
	select {
	case <-done:
		return nil
	case <-graceOver:
	case <-ctx.Done():
	}
	n := s.closeConns()
	if n > 0 {
		s.log.Warning().Int("connections", n).Msg("Closed connections still open at the end of the shutdown grace")
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sock: %d connection handlers did not return after their connections were closed: %w", s.open.Load(), ctx.Err())
	}
}

// closeConns closes every open connection and returns how many there were.
func (s *Server) closeConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = true
	for c := range s.conns {
		c.Close()
	}
	return len(s.conns)
}
