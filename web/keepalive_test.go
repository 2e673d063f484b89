package web_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/web"
)

// keepAliveConn is a raw HTTP/1.1 client connection that never retries.
type keepAliveConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialKeepAlive(addr string) (*keepAliveConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &keepAliveConn{c: c, r: bufio.NewReader(c)}, nil
}

// get writes one GET and reads its answer; closing reports whether the
// answer said "Connection: close".
func (k *keepAliveConn) get(path string) (code int, closing bool, err error) {
	_ = k.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(k.c, "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path); err != nil {
		return 0, false, err
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, false, err
	}
	return resp.StatusCode, resp.Close, nil
}

// TestStopDrainsBusyKeepAlive keeps 32 keep-alive connections in a tight
// loop (the next request written as soon as the last answer is read, as
// wrk does, with no retry) and stops the application: every connection
// that was answered before ends with an answer that says "Connection:
// close", none with EOF or a reset in place of an answer. (Shutdown alone
// closes the connections that are idle at that moment, between an answer
// and the request the client has already written.)
func TestStopDrainsBusyKeepAlive(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	addr := s.svc.Addrs()[0].String()
	stopped := make(chan struct{})
	const clients = 32
	errc := make(chan error, clients)
	var wg sync.WaitGroup
	running := make(chan struct{}, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- busyClient(addr, stopped, running)
		}()
	}
	for i := 0; i < clients; i++ {
		<-running
	}
	time.Sleep(200 * time.Millisecond)
	close(stopped)
	s.a.Stop()
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Error(err)
		}
	}
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// busyClient loops on one connection after another until the server stops
// accepting. A connection that had an answer must end with one that says
// "Connection: close"; a connection opened as the listener closed may be
// refused or reset before its first answer.
func busyClient(addr string, stopped <-chan struct{}, running chan<- struct{}) error {
	first := true
	for {
		k, err := dialKeepAlive(addr)
		if err != nil {
			if isClosed(stopped) {
				return nil // the listener is closed: done
			}
			return fmt.Errorf("dial before the stop: %w", err)
		}
		answered := 0
		for {
			code, closing, err := k.get("/hello")
			if err != nil {
				k.c.Close()
				if answered == 0 && isClosed(stopped) {
					return nil // queued as the listener closed
				}
				return fmt.Errorf("connection dropped after %d answers, without Connection: close (stop requested: %v): %w", answered, isClosed(stopped), err)
			}
			if code != http.StatusOK {
				k.c.Close()
				return fmt.Errorf("answer %d", code)
			}
			answered++
			if first {
				first = false
				running <- struct{}{}
			}
			if closing {
				break
			}
		}
		k.c.Close()
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestStopAnswersIdleKeepAliveThenClosesIt stops the application with two
// idle keep-alive connections: one sends its next request 150 ms after the
// stop and gets it answered, with "Connection: close"; the other stays idle
// and is closed unanswered, but only once it has been idle for the drain's
// idle grace (500 ms), and the application exits then.
func TestStopAnswersIdleKeepAliveThenClosesIt(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	addr := s.svc.Addrs()[0].String()
	late, idle := mustKeepAlive(t, addr), mustKeepAlive(t, addr)
	defer late.c.Close()
	defer idle.c.Close()
	stop := time.Now()
	s.a.Stop()
	time.Sleep(150 * time.Millisecond)
	code, closing, err := late.get("/hello")
	if err != nil || code != http.StatusOK || !closing {
		t.Fatalf("request 150 ms after the stop on an idle keep-alive connection: %d, Connection: close %v, %v; want 200 and close", code, closing, err)
	}
	_ = idle.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = idle.r.ReadByte()
	closed := time.Since(stop)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: %v after %s, want EOF", err, closed)
	}
	if closed < 400*time.Millisecond || closed > 5*time.Second {
		t.Fatalf("idle connection closed %s after the stop, want after the 500 ms idle grace", closed)
	}
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// mustKeepAlive opens a connection and has one request answered on it,
// leaving it idle.
func mustKeepAlive(t *testing.T, addr string) *keepAliveConn {
	t.Helper()
	k, err := dialKeepAlive(addr)
	if err != nil {
		t.Fatal(err)
	}
	if code, closing, err := k.get("/hello"); err != nil || code != 200 || closing {
		t.Fatalf("first request: %d %v %v", code, closing, err)
	}
	return k
}

// TestStopClosesLongIdleKeepAliveAtOnce: a keep-alive connection idle for
// longer than the drain's idle grace when the stop comes is closed at once,
// as http.Server.Shutdown closes it, and does not hold up the exit.
func TestStopClosesLongIdleKeepAliveAtOnce(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	idle := mustKeepAlive(t, s.svc.Addrs()[0].String())
	defer idle.c.Close()
	time.Sleep(700 * time.Millisecond)
	stop := time.Now()
	s.a.Stop()
	_ = idle.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idle.r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if took := time.Since(stop); took > 450*time.Millisecond { // the idle grace is 500 ms
		t.Fatalf("closing a connection idle for 700 ms and exiting took %s after the stop, want it at once", took)
	}
}
