package sock

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// TestFreshConnectionAnsweredAtStop: when a server stops, the context of a
// connection its handler has answered ends at once, so a handler that
// closes at cancellation closes it; a connection not answered yet (one
// that connected just before the stop) keeps its context until its first
// answer, and one that never sends anything until the fresh grace ends.
func TestFreshConnectionAnsweredAtStop(t *testing.T) {
	r := startApp(t, "[general]\nshutdown_timeout=10s\n")
	var entered sync.WaitGroup
	closing := func(ctx context.Context, conn net.Conn) {
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		defer stop()
		entered.Done()
		echoLines(ctx, conn)
	}
	srv, err := r.svc.CreateServer(r.a.Context(), closing, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addrs()[0]
	entered.Add(3)
	answered, fresh, silent := dial(t, addr), dial(t, addr), dial(t, addr)
	defer answered.Close()
	defer fresh.Close()
	defer silent.Close()
	if got := roundTrip(t, answered, bufio.NewReader(answered), "before"); got != "before" {
		t.Fatalf("echo before the stop: %q", got)
	}
	entered.Wait()

	srv.CloseListeners()
	closed := func(c net.Conn, what string) {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("%s connection after the stop: read %d bytes, %v; want EOF", what, n, err)
		}
	}
	closed(answered, "answered")
	fr := bufio.NewReader(fresh)
	if got := roundTrip(t, fresh, fr, "first"); got != "first" {
		t.Fatalf("a fresh connection's first line after the stop came back as %q", got)
	}
	closed(fresh, "fresh, once answered,")
	closed(silent, "silent fresh")
	if code, _ := r.stop(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
