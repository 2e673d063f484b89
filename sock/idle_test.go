package sock

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestIdleTimeoutExtendsOnEachCall(t *testing.T) {
	a, b := tcpPair(t)
	c := IdleTimeout(a, 300*time.Millisecond, time.Second)
	// Data arriving every 100 ms keeps a 300 ms read timeout from firing
	// although the whole exchange takes longer than 300 ms.
	go func() {
		for range 6 {
			time.Sleep(100 * time.Millisecond)
			b.Write([]byte("x"))
		}
	}()
	buf := make([]byte, 1)
	for i := range 6 {
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	begin := time.Now()
	_, err := c.Read(buf)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("an idle read returned %v, want a deadline error", err)
	}
	if took := time.Since(begin); took < 250*time.Millisecond {
		t.Fatalf("the idle read timed out after %s, before its 300 ms", took)
	}
	if u, ok := c.(interface{ Unwrap() net.Conn }); !ok || u.Unwrap() != a {
		t.Fatal("Unwrap does not return the original connection")
	}
}

func TestIdleTimeoutZeroIsTheSameConn(t *testing.T) {
	a, _ := tcpPair(t)
	if IdleTimeout(a, 0, 0) != a {
		t.Fatal("IdleTimeout with no timeouts wrapped the connection")
	}
}

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	a, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}
