package amqp_test

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// tcpProxy sits between the clients of a test and a broker, so that the
// test can break the connections of its own clients (and no one else's):
// cut them, stall them, refuse new ones.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // both ends of every open pair
	refuse bool
	gate   chan struct{} // non-nil while stalled; closed on release
	wg     sync.WaitGroup
}

// newProxy listens on a free port of 127.0.0.1 and forwards to target;
// it closes everything at cleanup.
func newProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// URL is the AMQP URL (guest/guest) of the broker through the proxy.
func (p *tcpProxy) URL() string { return "amqp://guest:guest@" + p.ln.Addr().String() + "/" }

func (p *tcpProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			reset(c)
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			reset(c)
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(s, c)
		go p.pipe(c, s)
	}
}

// pipe copies from src to dst, waiting at the gate while stalled, until
// either side fails; then it closes both.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.gate
			p.mu.Unlock()
			if gate != nil {
				<-gate
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				err = werr
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				reset(src)
			}
			p.drop(dst, src)
			return
		}
	}
}

func (p *tcpProxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.conns, c)
		_ = c.Close()
	}
}

// Cut resets every open connection, both ends.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		reset(c)
		delete(p.conns, c)
	}
}

// Refuse makes the proxy reset new connections at once (on) or forward
// them again (off).
func (p *tcpProxy) Refuse(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = on
}

// Stall stops forwarding in both directions (on) or lets it go on (off);
// the connections stay open, the bytes wait.
func (p *tcpProxy) Stall(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.gate == nil:
		p.gate = make(chan struct{})
	case !on && p.gate != nil:
		close(p.gate)
		p.gate = nil
	}
}

func (p *tcpProxy) close() {
	_ = p.ln.Close()
	p.Stall(false)
	p.Cut()
	p.wg.Wait()
}

// reset closes c with a TCP reset (no lingering), as a crashed peer or a
// firewall would.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
