package web_test

import (
	"encoding/json"
	"fmt"
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

// waitRefused dials addr until the connection is refused.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		} else if isRefused(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections to %s still accepted 5 s after Stop (last error %v)", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGracefulDrainCompletesInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nshutdown_timeout=10s\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/slow", func(c echo.Context) error {
			close(entered)
			<-release
			return c.String(http.StatusOK, "done")
		})
	})
	type result struct {
		code int
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		res, err := http.Get(s.url(0) + "/slow")
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		resc <- result{res.StatusCode, string(b), err}
	}()
	<-entered
	s.a.Stop()
	waitRefused(t, s.svc.Addrs()[0].String())
	close(release)
	r := <-resc
	if r.err != nil || r.code != 200 || r.body != "done" {
		t.Fatalf("request in flight at Stop: %d %q %v; want 200 done", r.code, r.body, r.err)
	}
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestGracePeriodCutsLongRequest(t *testing.T) {
	entered := make(chan struct{})
	handlerSaw := make(chan error, 1)
	conf := "[general]\nshutdown_timeout=3s\n[web]\nlisten=127.0.0.1 0\nshutdown_timeout=300ms\n"
	s := startServer(t, conf, func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/forever", func(c echo.Context) error {
			close(entered)
			select {
			case <-c.Request().Context().Done():
				handlerSaw <- c.Request().Context().Err()
			case <-time.After(30 * time.Second):
				handlerSaw <- nil
			}
			return c.String(http.StatusOK, "too late")
		})
	})
	clientErr := make(chan error, 1)
	go func() {
		res, err := http.Get(s.url(0) + "/forever")
		if err != nil {
			clientErr <- err
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err == nil && (res.StatusCode != 200 || string(b) != "too late") {
			err = fmt.Errorf("answer %d %q", res.StatusCode, b)
		}
		clientErr <- err
	}()
	<-entered
	start := time.Now()
	s.a.Stop()
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("exit took %v, beyond [general] shutdown_timeout 3s", took)
	}
	if err := <-handlerSaw; err == nil {
		t.Error("the handler's context was not cancelled when the grace period ran out")
	}
	if err := <-clientErr; err == nil {
		t.Error("the long request completed with 200; want it cut")
	}
}

func TestHealthRunningThenStopping(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nstop_delay=1s\n", nil)
	health := func() (int, web.Health) {
		t.Helper()
		// A new connection each time: the server closes kept-alive ones
		// once it stops.
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		res, err := c.Get(s.url(0) + "/asab/v1/health")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var h web.Health
		if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, h
	}
	if code, h := health(); code != 200 || h.Phase != "running" || h.Uptime <= 0 {
		t.Fatalf("health while running: %d %+v", code, h)
	}
	s.a.Stop()
	// During stop_delay the server still answers, and health says 503.
	code, h := health()
	if code != 503 || (h.Phase != "stopping" && h.Phase != "exiting") {
		t.Fatalf("health while stopping: %d %+v", code, h)
	}
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestSlowClientsDoNotBlockAndAreClosed(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nread_header_timeout=1s\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	const slow = 200
	request := "GET /hello HTTP/1.1\r\nHost: slow\r\n\r\n"
	closed := make(chan time.Duration, slow)
	var conns []net.Conn
	for i := 0; i < slow; i++ {
		c, err := net.Dial("tcp", s.svc.Addrs()[0].String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	start := time.Now()
	for _, c := range conns {
		go func(c net.Conn) {
			defer c.Close()
			buf := make([]byte, 512)
			for i := 0; i < len(request); i++ {
				if _, err := c.Write([]byte{request[i]}); err != nil {
					closed <- time.Since(start)
					return
				}
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				_, err := c.Read(buf)
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue
				}
				// EOF, a reset, or a 408 answer: the server gave up on us.
				closed <- time.Since(start)
				return
			}
			closed <- -1 // sent the whole request without being closed
		}(c)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	if code, body := get(t, client, s.url(0)+"/hello"); code != 200 || body != "Hello!" {
		t.Fatalf("normal client among slow ones: %d %q", code, body)
	}
	for i := 0; i < slow; i++ {
		d := <-closed
		if d < 0 || d > 6*time.Second {
			t.Fatalf("slow connection not closed by the 1 s header timeout (after %v)", d)
		}
	}
	if res, err := client.Get(s.url(0) + "/hello"); err != nil || res.StatusCode != 200 {
		t.Fatalf("after the slow clients: %v", err)
	} else {
		res.Body.Close()
	}
	_ = strings.TrimSpace
}
