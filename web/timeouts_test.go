package web_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/web"
)

// waitClosed reads from c until the server closes it and returns how long
// that took from start; it fails the test when c is still open at limit.
func waitClosed(t *testing.T, c net.Conn, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	_ = c.SetReadDeadline(start.Add(limit))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue // a response; keep reading
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("connection still open %v after start", limit)
		}
		return time.Since(start)
	}
}

// keptAlive sends one request on a new connection and reads its response,
// leaving the connection idle.
func keptAlive(t *testing.T, addr string) (net.Conn, time.Time) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	return c, time.Now()
}

func TestIdleTimeoutClosesKeptAliveConnection(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nidle_timeout=400ms\nread_header_timeout=5s\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	c, idleSince := keptAlive(t, s.svc.Addrs()[0].String())
	d := waitClosed(t, c, idleSince, 3*time.Second)
	if d < 400*time.Millisecond {
		t.Fatalf("idle connection closed after %v, before idle_timeout 400ms", d)
	}
	t.Logf("idle connection closed after %v (idle_timeout 400ms)", d)
}

func TestHeaderTimeoutOnKeptAliveConnection(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nidle_timeout=10s\nread_header_timeout=300ms\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	c, _ := keptAlive(t, s.svc.Addrs()[0].String())
	// The next request starts arriving, then stalls: the header limit, not
	// the idle one, applies from its first bytes.
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if _, err := io.WriteString(c, "GET /hello HTTP/1.1\r\nHo"); err != nil {
		t.Fatal(err)
	}
	d := waitClosed(t, c, start, 3*time.Second)
	if d < 300*time.Millisecond {
		t.Fatalf("closed after %v, before read_header_timeout 300ms", d)
	}
	t.Logf("stalled headers on a kept-alive connection closed after %v", d)
}

func TestLongRequestIsNotCutByHeaderOrIdleTimeout(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nidle_timeout=200ms\nread_header_timeout=200ms\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/slow", func(c echo.Context) error {
			time.Sleep(time.Second)
			return c.String(http.StatusOK, "done")
		})
	})
	if code, body := get(t, &http.Client{Timeout: 5 * time.Second}, s.url(0)+"/slow"); code != 200 || body != "done" {
		t.Fatalf("slow request: %d %q", code, body)
	}
}

func TestReadTimeoutBoundsTheBody(t *testing.T) {
	type result struct {
		err error
		d   time.Duration
	}
	got := make(chan result, 1)
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nread_timeout=300ms\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().POST("/upload", func(c echo.Context) error {
			start := time.Now()
			_, err := io.ReadAll(c.Request().Body)
			got <- result{err, time.Since(start)}
			return err
		})
	})
	c, err := net.Dial("tcp", s.svc.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.err == nil {
			t.Fatal("reading a stalled body succeeded")
		}
		if r.d < 250*time.Millisecond {
			t.Fatalf("body read failed after %v, before read_timeout 300ms: %v", r.d, r.err)
		}
		t.Logf("stalled body failed after %v: %v", r.d, r.err)
	case <-time.After(5 * time.Second):
		t.Fatal("reading a stalled body was not cut by read_timeout 300ms")
	}
	// A body that arrives in time is read whole on the same server.
	res, err := http.Post(s.url(0)+"/upload", "text/plain", strings.NewReader("complete"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if r := <-got; r.err != nil || res.StatusCode != 200 {
		t.Fatalf("complete body: status %d, read error %v", res.StatusCode, r.err)
	}
}

func TestTLSHandshakeIsBoundByHeaderTimeout(t *testing.T) {
	certPath, keyPath, pool := selfSigned(t, t.TempDir())
	conf := "[web]\nlisten=127.0.0.1 0 ssl\nread_header_timeout=300ms\n[ssl:web]\ncert=" + certPath + "\nkey=" + keyPath + "\n"
	s := startServer(t, conf, func(a *app.Application, svc *web.Service) { svc.Echo().GET("/hello", hello) })
	addr := s.svc.Addrs()[0].String()
	c, err := net.Dial("tcp", addr) // connects, never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if d := waitClosed(t, c, time.Now(), 3*time.Second); d < 300*time.Millisecond {
		t.Fatalf("silent TLS client closed after %v, before 300ms", d)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, body := get(t, client, s.url(0)+"/hello"); code != 200 || body != "Hello!" {
		t.Fatalf("https after the silent client: %d %q", code, body)
	}
}

// TestZeroIdleTimeoutIsNoLimit: idle_timeout = 0 means no limit, not
// net/http's fallback to read_timeout.
func TestZeroIdleTimeoutIsNoLimit(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nidle_timeout=0\nread_timeout=200ms\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	c, _ := keptAlive(t, s.svc.Addrs()[0].String())
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	_, err := c.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("idle connection closed within 1 s with idle_timeout=0 (read: %v)", err)
	}
}
