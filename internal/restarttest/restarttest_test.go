package restarttest_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/internal/restarttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func hello(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Hello!") }

func load(t *testing.T, addr string, d time.Duration) restarttest.Result {
	t.Helper()
	l := restarttest.StartLoad(addr, "/hello", 4)
	time.Sleep(d)
	return l.Stop()
}

// Kept-alive connections to a server that keeps them: answers, no error.
func TestLoadKeepsConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	res := load(t, srv.Listener.Addr().String(), 200*time.Millisecond)
	if res.OK == 0 || res.SocketErrors != 0 || res.Non2xx != 0 {
		t.Fatalf("%+v", res)
	}
}

// Answers that say "Connection: close" make the load open a new
// connection, which is no error.
func TestLoadReconnectsAfterConnectionClose(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		hello(w, r)
	}))
	defer srv.Close()
	res := load(t, srv.Listener.Addr().String(), 200*time.Millisecond)
	if res.OK < 8 || res.SocketErrors != 0 {
		t.Fatalf("%+v, want several answers on new connections and no error", res)
	}
}

// A server that closes a kept-alive connection without saying so (as
// http.Server.Shutdown closes an idle one) is a socket error, not retried.
func TestLoadCountsUnannouncedClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			c.Close()
		}
	}()
	res := load(t, ln.Addr().String(), 200*time.Millisecond)
	ln.Close()
	<-done
	if res.OK == 0 || res.SocketErrors == 0 || res.FirstError == "" {
		t.Fatalf("%+v, want answers and socket errors", res)
	}
}

// An answer other than 2xx is counted apart from the socket errors.
func TestLoadCountsNon2xx(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	res := load(t, srv.Listener.Addr().String(), 100*time.Millisecond)
	if res.Non2xx == 0 || res.OK != 0 || res.SocketErrors != 0 {
		t.Fatalf("%+v", res)
	}
}

// WaitNewImage waits for an uptime shorter than the time since since.
func TestWaitNewImage(t *testing.T) {
	started := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"uptime": %f}`, time.Since(started).Seconds())
	}))
	defer srv.Close()
	before := started.Add(-time.Second)
	if _, err := restarttest.WaitNewImage(srv.URL, before, 5*time.Second); err != nil {
		t.Fatalf("an image started after %s: %v", before, err)
	}
	time.Sleep(50 * time.Millisecond)
	_, err := restarttest.WaitNewImage(srv.URL, time.Now(), 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no answer at "+srv.URL) {
		t.Fatalf("an image started before: %v, want an error naming the URL", err)
	}
}

func ExampleStartLoad() {
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	l := restarttest.StartLoad(srv.Listener.Addr().String(), "/hello", 2)
	time.Sleep(50 * time.Millisecond)
	res := l.Stop()
	fmt.Println(res.OK > 0, res.SocketErrors, res.Non2xx)
	// Output: true 0 0
}
