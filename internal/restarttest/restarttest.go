// Package restarttest holds what the restart tests (app's under systemd,
// the examples') and the benchmark harness's restart row share: a load of
// HTTP/1.1 keep-alive connections that never retries a request, as wrk
// does, and a wait for the first answer of a re-executed image.
package restarttest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load keeps connections to a server busy with one GET request after the
// other, each connection writing its next request as soon as it has read
// an answer. A connection is opened anew only after an answer that says
// "Connection: close"; every other end of one (a failed dial or write, an
// EOF or reset instead of an answer, a 5 s timeout) counts as a socket
// error. Go's http.Client would retry an idempotent request on a
// kept-alive connection that the server closed, hiding exactly that.
type Load struct {
	ok, non2xx, sockErr atomic.Int64
	firstErr            atomic.Value // string
	wg                  sync.WaitGroup
	cancel              context.CancelFunc
}

// Result is what a Load saw.
type Result struct {
	// OK counts the 2xx answers.
	OK int64
	// Non2xx counts the answers with another status.
	Non2xx int64
	// SocketErrors counts the connections that ended without an answer
	// that said so (see Load).
	SocketErrors int64
	// FirstError is the first socket error's text, "" for none.
	FirstError string
}

// StartLoad starts conns connections to addr (host:port) requesting path,
// until Stop.
func StartLoad(addr, path string, conns int) *Load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{cancel: cancel}
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")
	for range conns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for ctx.Err() == nil {
				l.connection(ctx, addr, req)
			}
		}()
	}
	return l
}

// connection uses one connection until the server closes it after saying
// so, an error, or ctx's end.
func (l *Load) connection(ctx context.Context, addr string, req []byte) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		l.fail(ctx, err)
		return
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for ctx.Err() == nil {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		var resp *http.Response
		if _, err = c.Write(req); err == nil {
			resp, err = http.ReadResponse(r, nil)
		}
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err != nil {
			l.fail(ctx, err)
			return
		}
		if resp.StatusCode/100 == 2 {
			l.ok.Add(1)
		} else {
			l.non2xx.Add(1)
		}
		if resp.Close {
			return // the server said so: open a new connection
		}
	}
}

func (l *Load) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // Stop cut it short
	}
	l.sockErr.Add(1)
	l.firstErr.CompareAndSwap(nil, err.Error())
}

// Stop ends the load and returns what it saw.
func (l *Load) Stop() Result {
	l.cancel()
	l.wg.Wait()
	first, _ := l.firstErr.Load().(string)
	return Result{OK: l.ok.Load(), Non2xx: l.non2xx.Load(), SocketErrors: l.sockErr.Load(), FirstError: first}
}

// WaitNewImage polls url, a web container's /asab/v1/health, every 2 ms
// until an image that started after since answers 200 (its uptime is
// shorter than the time since since; the zero time takes any image), and
// returns when that was; an error after within.
func WaitNewImage(url string, since time.Time, within time.Duration) (time.Time, error) {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		resp, err := c.Get(url)
		if err != nil {
			continue
		}
		var h struct{ Uptime float64 }
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK && time.Duration(h.Uptime*float64(time.Second)) < time.Since(since) {
			return time.Now(), nil
		}
	}
	return time.Time{}, fmt.Errorf("no answer at %s from an image started after %s within %s", url, since.Format(time.StampMilli), within)
}
