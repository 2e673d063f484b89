package web

import (
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// TestWatchedConnDeadlines: a deadline set through the wrapper is set on
// the connection and cleared again; clearing one that is not set is
// skipped without harm, also when goroutines set and clear at once.
func TestWatchedConnDeadlines(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &watchedConn{Conn: a, w: newConnWatch(time.Second, time.Second)}
	buf := make([]byte, 1)

	if err := c.SetReadDeadline(time.Time{}); err != nil { // nothing set: skipped
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil { // set: cleared
		t.Fatal(err)
	}
	go func() { _, _ = b.Write([]byte{'x'}) }()
	if _, err := c.Read(buf); err != nil {
		t.Fatalf("read after clearing the deadline: %v", err)
	}

	if err := c.SetDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write past the deadline: %v", err)
	}
	if err := c.SetWriteDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = b.Read(make([]byte, 1)) }()
	if _, err := c.Write(buf); err != nil {
		t.Fatalf("write after clearing the deadline: %v", err)
	}

	// Goroutines set (in the past, so a deadline left in place fails the
	// read below) and clear at once; the clear after them must leave no
	// deadline, which it skips when the flag says none is set.
	for round := range 20 {
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				for j := range 100 {
					if (i+j)%2 == 0 {
						_ = c.SetReadDeadline(time.Now().Add(-time.Second))
					} else {
						_ = c.SetReadDeadline(time.Time{})
					}
				}
			})
		}
		wg.Wait()
		if err := c.SetReadDeadline(time.Time{}); err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = b.Write([]byte{'y'}) }()
		if _, err := c.Read(buf); err != nil || buf[0] != 'y' {
			t.Fatalf("round %d: read after concurrent set and clear: %v", round, err)
		}
	}
}

// TestConnWatchTick: a tenth of the shorter limit, within 5 ms and 1 s.
func TestConnWatchTick(t *testing.T) {
	for _, tc := range []struct{ header, idle, tick time.Duration }{
		{10 * time.Second, 120 * time.Second, time.Second},
		{time.Second, 0, 100 * time.Millisecond},
		{0, 300 * time.Millisecond, 30 * time.Millisecond},
		{10 * time.Millisecond, time.Hour, 5 * time.Millisecond},
		{time.Hour, time.Hour, time.Second},
	} {
		if got := newConnWatch(tc.header, tc.idle).tick; got != tc.tick {
			t.Errorf("header %v idle %v: tick %v, want %v", tc.header, tc.idle, got, tc.tick)
		}
	}
	if newConnWatch(0, 0).enabled() {
		t.Error("a watch with no limits is enabled")
	}
}
