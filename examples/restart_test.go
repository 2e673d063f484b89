package examples_test

import (
	"bytes"
	"context"
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

	"github.com/asabgo/asab/internal/restarttest"
	"github.com/asabgo/asab/internal/syncbuf"
)

// startWebserver runs examples/webserver on 127.0.0.1:port with access
// logging off and the [web] lines webKeys, and waits for its first answer.
func startWebserver(t *testing.T, port int, webKeys ...string) (*exec.Cmd, *syncbuf.Buffer) {
	t.Helper()
	bin := build(t, "webserver")
	conf := filepath.Join(t.TempDir(), "webserver.conf")
	text := fmt.Sprintf("[web]\nlisten=127.0.0.1 %d\naccess_log=false\n%s\n[logging]\nlevel=NOTICE\n", port, strings.Join(webKeys, "\n"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", conf)
	errb := &syncbuf.Buffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if _, err := restarttest.WaitNewImage(fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port), time.Time{}, 20*time.Second); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, errb.String())
	}
	return cmd, errb
}

// restartThrice sends cmd SIGUSR2 three times, gap apart, each time
// waiting for the first answer of the new image at health.
func restartThrice(t *testing.T, cmd *exec.Cmd, health string, errb fmt.Stringer, gap time.Duration) {
	t.Helper()
	for i := 0; i < 3; i++ {
		time.Sleep(gap)
		sent := time.Now()
		if err := cmd.Process.Signal(syscall.SIGUSR2); err != nil {
			t.Fatal(err)
		}
		answered, err := restarttest.WaitNewImage(health, sent, 20*time.Second)
		if err != nil {
			t.Fatalf("restart %d: %v; stderr:\n%s", i+1, err, errb.String())
		}
		t.Logf("restart %d: first answer from the new image %s after SIGUSR2", i+1, answered.Sub(sent).Round(time.Millisecond))
	}
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
	restartThrice(t, cmd, fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port), errb, 2*time.Second)
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

// TestRestartDrainsRawKeepAlive is TestRestartDropsNothing with the load
// of restarttest.StartLoad: 64 keep-alive connections that write their
// next request at once and never retry one (Go's client retries an idempotent request on a
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

	load := restarttest.StartLoad(addr, "/hello", 64)
	restartThrice(t, cmd, "http://"+addr+"/asab/v1/health", errb, 1500*time.Millisecond)
	time.Sleep(time.Second) // load on the last image too
	res := load.Stop()
	t.Logf("%d requests answered 2xx, %d non-2xx, %d socket errors", res.OK, res.Non2xx, res.SocketErrors)
	if res.SocketErrors != 0 || res.Non2xx != 0 {
		t.Fatalf("%d socket errors (first: %v), %d non-2xx across three restarts; stderr:\n%s", res.SocketErrors, res.FirstError, res.Non2xx, errb.String())
	}
	if res.OK == 0 {
		t.Fatal("no request answered")
	}
	if n := strings.Count(errb.String(), "is ready."); n != 4 {
		t.Fatalf("%d starts logged, want 4 (one and three restarts); stderr:\n%s", n, errb.String())
	}
}

// TestRestartAnswersNewConnections is TestRestartDropsNothing with a new
// connection per request, its request written at once with "Connection:
// close" and never retried, each client pausing 20 ms between requests,
// and a stop_delay: a connection that the old image accepts just as it
// stops is answered before the exec, not cut off by it. (The defect that
// app's TestPrepareRestartKeepsListenersNonBlocking pins cut off a request
// in about one restart of three for a single client pausing 20 ms; this
// test's eight clients did not show it.)
func TestRestartAnswersNewConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("7 s of load")
	}
	port := freePort(t)
	cmd, errb := startWebserver(t, port, "stop_delay=0.3s")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	req := []byte("GET /hello HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n")
	ctx, cancel := context.WithCancel(context.Background())
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := requestOnNewConn(addr, req); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				} else {
					ok.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	restartThrice(t, cmd, fmt.Sprintf("http://%s/asab/v1/health", addr), errb, 2*time.Second)
	cancel()
	wg.Wait()
	t.Logf("%d requests answered 200 on new connections, %d failed", ok.Load(), failed.Load())
	if failed.Load() != 0 {
		t.Fatalf("%d requests on new connections failed across three restarts (first: %v); stderr:\n%s", failed.Load(), firstErr.Load(), errb.String())
	}
	if ok.Load() == 0 {
		t.Fatal("no request answered")
	}
}

// requestOnNewConn sends req on a new connection to addr and wants a 200
// answer before the server closes the connection.
func requestOnNewConn(addr string, req []byte) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(req); err != nil {
		return err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("answer %q", b)
	}
	return nil
}
