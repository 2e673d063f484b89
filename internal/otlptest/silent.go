package otlptest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// SilentListener accepts TCP connections, reads what they send and never
// answers: an endpoint that is up but does not respond.
type SilentListener struct {
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conn   []net.Conn
	closed bool
}

// Silent starts a SilentListener on 127.0.0.1 and a free port; the test's
// cleanup closes it and every connection it accepted.
func Silent(tb testing.TB) *SilentListener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("otlptest: %v", err)
	}
	s := &SilentListener{ln: ln}
	s.wg.Add(1)
	go s.accept()
	tb.Cleanup(s.Close)
	return s
}

// URL is "http://127.0.0.1:PORT".
func (s *SilentListener) URL() string { return "http://" + s.ln.Addr().String() }

// Accepted returns how many connections were accepted.
func (s *SilentListener) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conn)
}

func (s *SilentListener) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conn = append(s.conn, c)
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			_, _ = io.Copy(io.Discard, c) // until the peer or Close closes it
		}()
	}
}

// Close stops accepting, closes the accepted connections and waits for
// the listener's goroutines. It may be called more than once.
func (s *SilentListener) Close() {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for _, c := range s.conn {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
