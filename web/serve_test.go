package web_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
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

func hello(c echo.Context) error { return c.String(http.StatusOK, "Hello!") }

// unixClient is an HTTP client that dials the unix socket at path.
func unixClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

func TestSeveralListenersAndUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "web.sock")
	// A stale socket file, as a crashed process leaves it.
	stale, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("stale socket not left behind: %v", err)
	}

	conf := "[web]\nlisten=\n\t127.0.0.1 0\n\t127.0.0.1:0\n\t" + sock + "\n"
	s := startServer(t, conf, func(a *app.Application, svc *web.Service) { svc.Echo().GET("/hello", hello) })
	addrs := s.svc.Addrs()
	if len(addrs) != 3 {
		t.Fatalf("Addrs() = %v, want 3", addrs)
	}
	if addrs[0].String() == addrs[1].String() || strings.HasSuffix(addrs[0].String(), ":0") {
		t.Fatalf("port 0 not resolved to distinct ports: %v", addrs)
	}
	for i := 0; i < 2; i++ {
		if code, body := get(t, nil, s.url(i)+"/hello"); code != 200 || body != "Hello!" {
			t.Errorf("listener %d: %d %q", i, code, body)
		}
	}
	if code, body := get(t, unixClient(sock), "http://unix/hello"); code != 200 || body != "Hello!" {
		t.Errorf("unix socket: %d %q", code, body)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file still there after exit: %v", err)
	}
}

func TestIPv6AndBarePortListeners(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	ln.Close()
	s := startServer(t, "[web]\nlisten=\n\t[::1]:0\n\t0\n", func(a *app.Application, svc *web.Service) { svc.Echo().GET("/hello", hello) })
	if code, body := get(t, nil, s.url(0)+"/hello"); code != 200 || body != "Hello!" {
		t.Errorf("[::1]: %d %q", code, body)
	}
	// The bare port listens on every interface, IPv4 and IPv6.
	_, port, _ := net.SplitHostPort(s.svc.Addrs()[1].String())
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		if code, body := get(t, nil, "http://"+host+":"+port+"/hello"); code != 200 || body != "Hello!" {
			t.Errorf("bare port via %s: %d %q", host, code, body)
		}
	}
}

func TestStartedStoppedMessages(t *testing.T) {
	var mu sync.Mutex
	var got []string
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\n", func(a *app.Application, svc *web.Service) {
		a.PubSub().Subscribe(web.StoppedMessage, func(m pubsub.Message) error {
			mu.Lock()
			defer mu.Unlock()
			if m.Args[0] == svc.Container {
				got = append(got, m.Type)
			}
			return nil
		})
	})
	s.stop()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("stopped! received %v, want once with the container", got)
	}
}

func TestBindErrorNamesLine(t *testing.T) {
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	logPath := filepath.Join(t.TempDir(), "log")
	conf := "[logging:file]\npath=" + logPath + "\n[logging:console]\nenabled=false\n[web]\nlisten=\n\t127.0.0.1 0\n\t" + busy.Addr().String() + "\n"
	if code := asabtest.New(t, conf).AddModule(web.Module).RunToExit(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	b, _ := os.ReadFile(logPath)
	want := "listen line 2 \\\"" + busy.Addr().String()
	if !strings.Contains(string(b), want) || !strings.Contains(string(b), "address already in use") {
		t.Fatalf("log does not name the line (%s) and the cause:\n%s", want, b)
	}
}

func TestBadConfigFailsAtAddModule(t *testing.T) {
	for _, tt := range []struct{ conf, want string }{
		{"[web]\nlisten=127.0.0.1 0\n\t1.2.3.4 99999\n", "[web] listen line 2"},
		{"[web]\nlisten=127.0.0.1 0\nbody_max_size=-5\n", `[web] body_max_size = "-5"`},
		{"[web]\nlisten=127.0.0.1 0\nservertokens=loud\n", `servertokens = "loud"`},
		{"[web]\nlisten=127.0.0.1 0\ntrusted_proxies=10.0.0.0/8 proxy\n", `trusted_proxies: "proxy"`},
		{"[web]\nlisten=127.0.0.1 0\nread_header_timeout=soon\n", "read_header_timeout"},
	} {
		a := app.New(app.WithName("t"), app.WithArgs(), app.WithConfigString(tt.conf))
		err := a.AddModule(web.Module)
		a.Release()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("config %q: error %v, want one containing %q", tt.conf, err, tt.want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\nbody_max_size=1000\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().POST("/echo", func(c echo.Context) error {
			b, err := io.ReadAll(c.Request().Body)
			if err != nil {
				return err
			}
			return c.String(http.StatusOK, strings.ToUpper(string(b)))
		})
	})
	post := func(body io.Reader) (int, string) {
		res, err := http.Post(s.url(0)+"/echo", "text/plain", body)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post(strings.NewReader(strings.Repeat("a", 1000))); code != 200 || body != strings.Repeat("A", 1000) {
		t.Errorf("body at the limit: %d %.20q", code, body)
	}
	if code, _ := post(strings.NewReader(strings.Repeat("a", 1001))); code != http.StatusRequestEntityTooLarge {
		t.Errorf("Content-Length over the limit: %d, want 413", code)
	}
	// No Content-Length (chunked): the limit applies while reading.
	if code, _ := post(io.MultiReader(strings.NewReader(strings.Repeat("b", 3000)))); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: %d, want 413", code)
	}
}

func TestPanicGives500AndServerGoesOn(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/boom", func(echo.Context) error { panic("kaboom") })
		svc.Echo().GET("/hello", hello)
	})
	if code, _ := get(t, nil, s.url(0)+"/boom"); code != 500 {
		t.Errorf("panicking handler: %d, want 500", code)
	}
	if code, body := get(t, nil, s.url(0)+"/hello"); code != 200 || body != "Hello!" {
		t.Errorf("after the panic: %d %q", code, body)
	}
	s.stop()
	var found bool
	for _, l := range s.logLines("asab.web") {
		if l.Level == "ERROR" && l.Fields["panic"] == "kaboom" && strings.Contains(l.Fields["stack"].(string), "serve_test.go") {
			found = true
		}
	}
	if !found {
		t.Errorf("no ERROR line with the panic and its stack:\n%s", s.logText())
	}
}

func TestAccessLogAndErrorStatus(t *testing.T) {
	conf := "[web]\nlisten=127.0.0.1 0\ntrusted_proxies=127.0.0.1\n"
	s := startServer(t, conf, func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
		svc.Echo().GET("/teapot", func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short and stout") })
		svc.Echo().GET("/fail", func(echo.Context) error { return errors.New("database gone") })
	})
	req, _ := http.NewRequest("GET", s.url(0)+"/hello?x=1", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Server") != "asab" {
		t.Errorf("Server header %q, want asab (servertokens=prod)", res.Header.Get("Server"))
	}
	if code, _ := get(t, nil, s.url(0)+"/teapot"); code != http.StatusTeapot {
		t.Errorf("teapot: %d", code)
	}
	if code, _ := get(t, nil, s.url(0)+"/fail"); code != 500 {
		t.Errorf("fail: %d", code)
	}
	s.stop()
	lines := s.logLines("asab.web.al")
	if len(lines) != 3 {
		t.Fatalf("access log has %d lines, want 3:\n%s", len(lines), s.logText())
	}
	f := lines[0].Fields
	if lines[0].Level != "NOTICE" || f["method"] != "GET" || f["path"] != "/hello" || f["status"] != 200.0 ||
		f["bytes"] != 6.0 || f["ip"] != "203.0.113.7" {
		t.Errorf("access line for /hello: %+v", lines[0])
	}
	if d, ok := f["duration"].(float64); !ok || d <= 0 || d > 5 {
		t.Errorf("duration %v", f["duration"])
	}
	if lines[1].Fields["status"] != 418.0 || !strings.Contains(lines[1].Fields["error"].(string), "short and stout") {
		t.Errorf("access line for /teapot: %+v", lines[1])
	}
	if lines[2].Fields["status"] != 500.0 || !strings.Contains(lines[2].Fields["error"].(string), "database gone") {
		t.Errorf("access line for /fail: %+v", lines[2])
	}
}

// TestAccessLogTimeIsTheResponseTime: the access line is stamped with the
// time the response was done, whenever the log output writes it.
func TestAccessLogTimeIsTheResponseTime(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	var before, after []time.Time
	for range 20 {
		before = append(before, time.Now().Truncate(time.Microsecond))
		get(t, nil, s.url(0)+"/hello")
		after = append(after, time.Now())
	}
	s.stop()
	lines := s.logLines("asab.web.al")
	if len(lines) != len(before) {
		t.Fatalf("%d access lines, want %d", len(lines), len(before))
	}
	for i, l := range lines {
		if l.Time.Before(before[i]) || l.Time.After(after[i]) {
			t.Errorf("line %d stamped %s, outside its request [%s, %s]", i, l.Time.Format(time.RFC3339Nano),
				before[i].Format(time.RFC3339Nano), after[i].Format(time.RFC3339Nano))
		}
	}
}

func TestUntrustedForwardedForIgnoredAndAccessLogOff(t *testing.T) {
	// The peer (127.0.0.1) is not in the trusted list: X-Forwarded-For is
	// ignored, and with access_log off no access line is written.
	for _, tt := range []struct {
		conf, wantIP string
		lines        int
	}{
		{"[web]\nlisten=127.0.0.1 0\ntrusted_proxies=10.0.0.0/8\n", "127.0.0.1", 1},
		{"[web]\nlisten=127.0.0.1 0\naccess_log=false\n", "", 0},
	} {
		s := startServer(t, tt.conf, func(a *app.Application, svc *web.Service) { svc.Echo().GET("/hello", hello) })
		req, _ := http.NewRequest("GET", s.url(0)+"/hello", nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		s.stop()
		lines := s.logLines("asab.web.al")
		if len(lines) != tt.lines {
			t.Fatalf("%q: %d access lines, want %d", tt.conf, len(lines), tt.lines)
		}
		if tt.lines > 0 && lines[0].Fields["ip"] != tt.wantIP {
			t.Errorf("%q: ip %v, want %s", tt.conf, lines[0].Fields["ip"], tt.wantIP)
		}
	}
}

func TestSecondContainer(t *testing.T) {
	var admin *web.Container
	conf := "[web]\nlisten=127.0.0.1 0\n[web:admin]\nlisten=127.0.0.1 0\nservertokens=full\nhealth_path=\n"
	s := startServer(t, conf, func(a *app.Application, svc *web.Service) {
		var err error
		if admin, err = web.NewContainer(a, "web:admin"); err != nil {
			t.Error(err)
			return
		}
		admin.Echo().GET("/admin", func(c echo.Context) error { return c.String(200, "admin") })
		svc.Echo().GET("/hello", hello)
	})
	if admin == nil {
		t.FailNow()
	}
	if admin.Section() != "web:admin" || len(admin.Addrs()) != 1 || admin.URL(0) == s.url(0) {
		t.Fatalf("admin container: %s %v", admin.Section(), admin.Addrs())
	}
	res, err := http.Get(admin.URL(0) + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Server") != "webtest/9.9 asab" {
		t.Errorf("admin: %d, Server %q", res.StatusCode, res.Header.Get("Server"))
	}
	if code, _ := get(t, nil, admin.URL(0)+"/hello"); code != 404 {
		t.Errorf("/hello on admin: %d, want 404 (containers are independent)", code)
	}
	if code, _ := get(t, nil, admin.URL(0)+"/asab/v1/health"); code != 404 {
		t.Errorf("health on admin with health_path empty: %d, want 404", code)
	}
	if code, _ := get(t, nil, s.url(0)+"/admin"); code != 404 {
		t.Errorf("/admin on web: %d, want 404", code)
	}
	if _, err := web.NewContainer(s.a, "web:late"); err == nil {
		t.Error("NewContainer at run-time succeeded")
	}
}

func TestCORS(t *testing.T) {
	s := startServer(t, "[web]\nlisten=127.0.0.1 0\ncors=https://good.example\n", func(a *app.Application, svc *web.Service) {
		svc.Echo().GET("/hello", hello)
	})
	do := func(method, origin string) *http.Response {
		req, _ := http.NewRequest(method, s.url(0)+"/hello", nil)
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "GET")
			req.Header.Set("Access-Control-Request-Headers", "X-Token")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if r := do("GET", "https://good.example"); r.Header.Get("Access-Control-Allow-Origin") != "https://good.example" {
		t.Errorf("allowed origin: %v", r.Header)
	}
	if r := do("GET", "https://evil.example"); r.Header.Get("Access-Control-Allow-Origin") != "" || r.StatusCode != 200 {
		t.Errorf("other origin: %d %v", r.StatusCode, r.Header)
	}
	r := do("OPTIONS", "https://good.example")
	if r.StatusCode != 204 || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "GET") || r.Header.Get("Access-Control-Allow-Headers") != "X-Token" {
		t.Errorf("preflight: %d %v", r.StatusCode, r.Header)
	}
	// echo's CORS allows the methods the route has.
	if m := r.Header.Get("Access-Control-Allow-Methods"); strings.Contains(m, "POST") {
		t.Errorf("preflight allows %q; /hello has GET only", m)
	}
	if r.Header.Get("Access-Control-Max-Age") != "86400" {
		t.Errorf("preflight Max-Age %q", r.Header.Get("Access-Control-Max-Age"))
	}
}

// isRefused reports whether err is a refused connection.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

var _ = time.Second
