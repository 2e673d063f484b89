package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// reloadChildEnv names the configuration file of the child process that
// TestMain runs instead of the tests.
const reloadChildEnv = "ASAB_WEB_RELOAD_CHILD_CONF"

// reloadChild is the application of TestSIGHUPReloadsContainer: the web
// module with -c the file the parent edits and an echo route /hello. It
// prints "ready URL" when the container serves and "reload [SECTIONS]" for
// each Application.reload!.
func reloadChild() int {
	a := app.New(app.WithName("webreload"), app.WithArgs("-c", os.Getenv(reloadChildEnv)))
	if err := a.AddModule(web.Module); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	svc, err := app.Service[*web.Service](a)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	svc.Echo().Any("/hello", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.String(http.StatusOK, "Hello!")
	})
	a.PubSub().Subscribe(web.StartedMessage, func(pubsub.Message) error {
		fmt.Printf("ready %s\n", svc.URL(0))
		return nil
	})
	a.PubSub().Subscribe(pubsub.Reload, func(m pubsub.Message) error {
		fmt.Printf("reload %v\n", m.Args[0])
		return nil
	})
	return a.Run()
}

// reloadProc is the running child.
type reloadProc struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
	errb  *bytes.Buffer
	errMu sync.Mutex
}

func startReloadChild(t *testing.T, conf string) *reloadProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), reloadChildEnv+"="+conf)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &reloadProc{t: t, cmd: cmd, lines: make(chan string, 64), done: make(chan struct{}), errb: &bytes.Buffer{}}
	cmd.Stderr = lockedWriter{&p.errMu, p.errb}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// next returns the child's next stdout line that starts with prefix.
func (p *reloadProc) next(prefix string) string {
	p.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.errMu.Lock()
				defer p.errMu.Unlock()
				p.t.Fatalf("child ended before %q; stderr:\n%s", prefix, p.errb.String())
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
		case <-timeout:
			p.t.Fatalf("no %q from the child within 20s", prefix)
		}
	}
}

func (p *reloadProc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// waitLog polls the JSON log file, which the child is writing, until a
// complete line satisfies ok.
func waitLog(t *testing.T, path string, ok func(asabtest.LogLine) bool) asabtest.LogLine {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for _, text := range lines[:len(lines)-1] { // the last one is being written, or empty
			var l asabtest.LogLine
			if err := json.Unmarshal([]byte(text), &l); err != nil {
				t.Fatalf("log line %q: %v", text, err)
			}
			if ok(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(path)
			t.Fatalf("no such log line within 10s; log:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reloadConf is the child's configuration: a JSON log file written at once
// (and only reopened on SIGHUP), and [web] with the lines of web
// (listening on 127.0.0.1 port 0 unless they say otherwise).
func reloadConf(logPath, web string) string {
	if !strings.Contains(web, "listen=") {
		web = "listen=127.0.0.1 0\n" + web
	}
	return "[logging:file]\npath=" + logPath + "\nformat=json\nflush_interval=0\nbackup_count=0\n[logging:console]\nenabled=false\n" +
		"[web]\n" + web
}

// A real SIGHUP to a child process: the new CORS origins, access log,
// Server header, trusted proxies and body limit apply to the next request,
// on the same kept-alive connection; a changed listen line or timeout is a
// WARNING naming section, key, old and new value and keeps the old one; a
// bad value refuses the reload with an ERROR and the child serves on with
// the settings it had; access_log=false takes the access log away again.
func TestSIGHUPReloadsContainer(t *testing.T) {
	dir := t.TempDir()
	confPath, logPath := filepath.Join(dir, "app.conf"), filepath.Join(dir, "log.json")
	write := func(web string) {
		t.Helper()
		if err := os.WriteFile(confPath, []byte(reloadConf(logPath, web)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("access_log=false\ncors=http://a.example\n")
	p := startReloadChild(t, confPath)
	url := strings.TrimPrefix(p.next("ready "), "ready ")

	var reused []bool
	var mu sync.Mutex
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)
	do := func(method, path, origin, xff string, body string) *http.Response {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
			mu.Lock()
			reused = append(reused, i.Reused)
			mu.Unlock()
		}}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), method, url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	allowed := func(res *http.Response) string { return res.Header.Get("Access-Control-Allow-Origin") }

	if res := do("GET", "/hello?step=1", "http://a.example", "", ""); res.StatusCode != 200 || allowed(res) != "http://a.example" || res.Header.Get("Server") != "asab" {
		t.Fatalf("before the reload: %d, allow-origin %q, server %q", res.StatusCode, allowed(res), res.Header.Get("Server"))
	}
	if res := do("GET", "/hello?step=1", "http://b.example", "", ""); allowed(res) != "" {
		t.Fatalf("before the reload b.example is allowed: %q", allowed(res))
	}
	if res := do("POST", "/hello", "", "", strings.Repeat("x", 100)); res.StatusCode != 200 {
		t.Fatalf("100 bytes before the reload: %d", res.StatusCode)
	}

	// The live keys.
	write("access_log=true\ncors=http://b.example\nservertokens=none\nbody_max_size=64\ntrusted_proxies=127.0.0.1\n")
	p.signal(syscall.SIGHUP)
	if got := p.next("reload "); got != "reload [web]" {
		t.Fatalf("the child published %q", got)
	}
	// Application.reload! comes before the Reloaders run; their NOTICE after.
	applied := waitLog(t, logPath, func(l asabtest.LogLine) bool { return l.Message == "Web container settings applied at run time" })
	if fmt.Sprint(applied.Fields["keys"]) != "[servertokens access_log trusted_proxies body_max_size cors]" {
		t.Fatalf("applied keys %v", applied.Fields["keys"])
	}
	if res := do("GET", "/hello?step=2", "http://b.example", "203.0.113.9", ""); res.StatusCode != 200 || allowed(res) != "http://b.example" {
		t.Fatalf("after the reload b.example: %d, allow-origin %q", res.StatusCode, allowed(res))
	} else if _, ok := res.Header["Server"]; ok {
		t.Fatalf("servertokens=none, yet Server %q", res.Header.Get("Server"))
	}
	if res := do("GET", "/hello?step=2", "http://a.example", "", ""); allowed(res) != "" {
		t.Fatalf("after the reload a.example is still allowed: %q", allowed(res))
	}
	if res := do("POST", "/hello", "", "", strings.Repeat("x", 100)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("100 bytes over the new body_max_size=64: %d", res.StatusCode)
	}
	al := waitLog(t, logPath, func(l asabtest.LogLine) bool { return l.Logger == "asab.web.al" })
	if al.Fields["path"] != "/hello" || al.Fields["ip"] != "203.0.113.9" {
		t.Fatalf("first access log line %+v: want path /hello from 203.0.113.9 (trusted_proxies now 127.0.0.1)", al)
	}

	// Static keys: a WARNING each, the old value kept.
	write("access_log=true\ncors=http://b.example\nservertokens=none\nbody_max_size=64\ntrusted_proxies=127.0.0.1\n" +
		"listen=127.0.0.1 18401\nread_timeout=5s\n")
	p.signal(syscall.SIGHUP)
	if got := p.next("reload "); got != "reload []" {
		b, _ := os.ReadFile(logPath)
		t.Logf("log:\n%s", b)
		t.Fatalf("after changing static keys only the child published %q", got)
	}
	for key, want := range map[string][2]string{"listen": {"127.0.0.1 0", "127.0.0.1 18401"}, "read_timeout": {"60s", "5s"}} {
		w := waitLog(t, logPath, func(l asabtest.LogLine) bool { return l.Level == "WARNING" && l.Fields["key"] == key })
		if w.Fields["section"] != "web" || w.Fields["running"] != want[0] || w.Fields["ignored"] != want[1] {
			t.Errorf("WARNING for %s: %+v, want running %q ignored %q", key, w, want[0], want[1])
		}
	}
	if res := do("GET", "/hello?step=3", "http://b.example", "", ""); res.StatusCode != 200 || allowed(res) != "http://b.example" {
		t.Fatalf("after the static change: %d, allow-origin %q", res.StatusCode, allowed(res))
	}

	// A bad value refuses the whole reload: the cors change with it.
	write("access_log=true\ncors=http://c.example\nservertokens=loud\n")
	p.signal(syscall.SIGHUP)
	refused := waitLog(t, logPath, func(l asabtest.LogLine) bool { return l.Level == "ERROR" })
	if refused.Message != "New configuration refused; keeping the old configuration" ||
		!strings.Contains(fmt.Sprint(refused.Fields["error"]), `[web] servertokens = "loud"`) {
		t.Fatalf("refusal %+v", refused)
	}
	if res := do("GET", "/hello?step=4", "http://c.example", "", ""); res.StatusCode != 200 || allowed(res) != "" {
		t.Fatalf("after the refused reload c.example: %d, allow-origin %q", res.StatusCode, allowed(res))
	}
	if res := do("GET", "/hello?step=4", "http://b.example", "", ""); allowed(res) != "http://b.example" {
		t.Fatalf("after the refused reload b.example is no longer allowed")
	}

	// The access log off again: the request after the reload has no line.
	if res := do("GET", "/logged", "", "", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /logged: %d", res.StatusCode)
	}
	write("access_log=false\ncors=http://b.example\nservertokens=none\nbody_max_size=64\ntrusted_proxies=127.0.0.1\n")
	p.signal(syscall.SIGHUP)
	waitLog(t, logPath, func(l asabtest.LogLine) bool {
		return l.Message == "Web container settings applied at run time" && fmt.Sprint(l.Fields["keys"]) == "[access_log]"
	})
	if res := do("GET", "/unlogged", "", "", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /unlogged: %d", res.StatusCode)
	}

	mu.Lock()
	for i, r := range reused[1:] {
		if !r {
			t.Errorf("request %d opened a new connection: a reload dropped the kept-alive one", i+2)
		}
	}
	mu.Unlock()
	client.CloseIdleConnections()
	p.signal(syscall.SIGTERM)
	<-p.done
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var paths []string
	for _, l := range asabtest.ReadLog(t, logPath, "asab.web.al") {
		if p := l.Fields["path"].(string); p != "/hello" {
			paths = append(paths, p)
		}
	}
	if fmt.Sprint(paths) != "[/logged]" {
		t.Errorf("access log lines for %v, want /logged only (/unlogged came after access_log=false)", paths)
	}
}
