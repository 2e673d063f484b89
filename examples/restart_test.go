package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// startWebserver runs examples/webserver on 127.0.0.1:port with access
// logging off, and waits for its first answer.
func startWebserver(t *testing.T, port int) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	bin := build(t, "webserver")
	conf := filepath.Join(t.TempDir(), "webserver.conf")
	text := fmt.Sprintf("[web]\nlisten=127.0.0.1 %d\naccess_log=false\n[logging]\nlevel=NOTICE\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", conf)
	errb := &syncBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if _, err := waitUptime(fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port), time.Time{}, 20*time.Second); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, errb.String())
	}
	return cmd, errb
}

// waitUptime polls the health endpoint until an image that started after
// since answers 200; it returns when that was.
func waitUptime(url string, since time.Time, limit time.Duration) (time.Time, error) {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := c.Get(url)
		if err == nil {
			var h struct{ Uptime float64 }
			err = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK && time.Duration(h.Uptime*float64(time.Second)) < time.Since(since) {
				return time.Now(), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("no answer at %s from an image started after %s within %s", url, since.Format(time.StampMicro), limit)
}

// TestRestartDropsNothing keeps 64 keep-alive clients busy on
// examples/webserver for 10 s while it restarts three times on SIGUSR2:
// the listening socket stays open across each exec, so no request fails
// (connect, read, write or timeout) and none answers other than 200. The
// process keeps its pid and the new image answers.
func TestRestartDropsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s of load")
	}
	port := freePort(t)
	cmd, errb := startWebserver(t, port)
	url := fmt.Sprintf("http://127.0.0.1:%d/hello", port)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ok, non2xx, sockErr atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			for ctx.Err() == nil {
				resp, err := c.Get(url)
				if err != nil {
					sockErr.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					sockErr.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				case resp.StatusCode/100 != 2:
					non2xx.Add(1)
				default:
					ok.Add(1)
				}
			}
		}()
	}
	health := fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port)
	for i := 0; i < 3; i++ {
		time.Sleep(2 * time.Second)
		sent := time.Now()
		if err := cmd.Process.Signal(syscall.SIGUSR2); err != nil {
			t.Fatal(err)
		}
		answered, err := waitUptime(health, sent, 20*time.Second)
		if err != nil {
			t.Fatalf("restart %d: %v; stderr:\n%s", i+1, err, errb.String())
		}
		t.Logf("restart %d: first answer from the new image %s after SIGUSR2", i+1, answered.Sub(sent).Round(time.Millisecond))
	}
	wg.Wait()
	t.Logf("%d requests answered 200, %d non-2xx, %d socket errors", ok.Load(), non2xx.Load(), sockErr.Load())
	if sockErr.Load() != 0 || non2xx.Load() != 0 {
		t.Fatalf("%d socket errors (first: %v), %d non-2xx across three restarts; stderr:\n%s", sockErr.Load(), firstErr.Load(), non2xx.Load(), errb.String())
	}
	if ok.Load() == 0 {
		t.Fatal("no request answered")
	}
	if n := strings.Count(errb.String(), "is ready."); n != 4 {
		t.Fatalf("%d starts logged, want 4 (one and three restarts); stderr:\n%s", n, errb.String())
	}
	// Same pid: the process answers SIGTERM and exits 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after the restarts: %v; stderr:\n%s", err, errb.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a child's stderr and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rawLoad is the client load of wrk, without its retries: n HTTP/1.1
// keep-alive connections, each writing its next GET as soon as it has read
// the answer to the last one. A connection opens anew only after an answer
// that says "Connection: close"; any other end of a connection (EOF or a
// reset before an answer is complete, a failed write or dial, a timeout)
// is a socket error, as wrk counts them.
type rawLoad struct {
	ok, non2xx, sockErr atomic.Int64
	firstErr            atomic.Value
}

func (l *rawLoad) fail(err error) {
	l.sockErr.Add(1)
	l.firstErr.CompareAndSwap(nil, err.Error())
}

// run keeps n connections to addr busy with GET path until ctx ends.
func (l *rawLoad) run(ctx context.Context, addr, path string, n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.conn(ctx, addr, path)
		}()
	}
	wg.Wait()
}

func (l *rawLoad) conn(ctx context.Context, addr, path string) {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")
	for ctx.Err() == nil {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			l.fail(err)
			continue
		}
		r := bufio.NewReader(c)
		for ctx.Err() == nil {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err = c.Write(req); err != nil {
				break
			}
			var resp *http.Response
			if resp, err = http.ReadResponse(r, nil); err != nil {
				break
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil {
				break
			}
			if resp.StatusCode/100 == 2 {
				l.ok.Add(1)
			} else {
				l.non2xx.Add(1)
			}
			if resp.Close {
				break // the server said so: open a new connection
			}
		}
		if err != nil && ctx.Err() == nil {
			l.fail(err)
		}
		c.Close()
	}
}

// TestRestartDrainsRawKeepAlive is TestRestartDropsNothing with the load
// of rawLoad: 64 keep-alive connections that write their next request at
// once and never retry one (Go's client retries an idempotent request on a
// kept-alive connection the server closed, which hides what wrk sees). At
// each of three SIGUSR2 every connection gets an answer that says
// "Connection: close" before the server closes it, and opens anew on the
// listening socket the next image inherits: no socket error, no non-2xx.
func TestRestartDrainsRawKeepAlive(t *testing.T) {
	if testing.Short() {
		t.Skip("8 s of load")
	}
	port := freePort(t)
	cmd, errb := startWebserver(t, port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	var load rawLoad
	done := make(chan struct{})
	go func() {
		defer close(done)
		load.run(ctx, addr, "/hello", 64)
	}()
	health := "http://" + addr + "/asab/v1/health"
	for i := 0; i < 3; i++ {
		time.Sleep(1500 * time.Millisecond)
		sent := time.Now()
		if err := cmd.Process.Signal(syscall.SIGUSR2); err != nil {
			t.Fatal(err)
		}
		answered, err := waitUptime(health, sent, 20*time.Second)
		if err != nil {
			t.Fatalf("restart %d: %v; stderr:\n%s", i+1, err, errb.String())
		}
		t.Logf("restart %d: first answer from the new image %s after SIGUSR2", i+1, answered.Sub(sent).Round(time.Millisecond))
	}
	<-done
	t.Logf("%d requests answered 2xx, %d non-2xx, %d socket errors", load.ok.Load(), load.non2xx.Load(), load.sockErr.Load())
	if load.sockErr.Load() != 0 || load.non2xx.Load() != 0 {
		t.Fatalf("%d socket errors (first: %v), %d non-2xx across three restarts; stderr:\n%s", load.sockErr.Load(), load.firstErr.Load(), load.non2xx.Load(), errb.String())
	}
	if load.ok.Load() == 0 {
		t.Fatal("no request answered")
	}
	if n := strings.Count(errb.String(), "is ready."); n != 4 {
		t.Fatalf("%d starts logged, want 4 (one and three restarts); stderr:\n%s", n, errb.String())
	}
}
