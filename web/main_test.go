package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is one running application with the web module, for a test.
type server struct {
	t       *testing.T
	a       *app.Application
	svc     *web.Service
	code    chan int
	logPath string
	exited  bool
	exit    int
}

// startServer runs an application with conf (a [web] section at least) and
// the web module, calls setup at init-time (to add routes), and returns
// once the default container serves. Lines are logged as JSON to a file.
func startServer(t *testing.T, conf string, setup func(a *app.Application, svc *web.Service)) *server {
	t.Helper()
	s := &server{t: t, code: make(chan int, 1), logPath: filepath.Join(t.TempDir(), "log.json")}
	conf = "[logging:file]\npath=" + s.logPath + "\nformat=json\n[logging:console]\nenabled=false\n" + conf
	s.a = app.New(app.WithName("webtest"), app.WithVersion("9.9"), app.WithArgs(), app.WithConfigString(conf),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			if setup != nil {
				setup(a, s.svc)
			}
			return nil
		}))
	if err := s.a.AddModule(web.Module); err != nil {
		s.a.Release()
		t.Fatalf("add web module: %v", err)
	}
	var err error
	if s.svc, err = app.GetService[*web.Service](s.a, web.ServiceName); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	var once sync.Once
	s.a.PubSub().Subscribe(web.StartedMessage, func(m pubsub.Message) error {
		if m.Args[0] == s.svc.Container {
			once.Do(func() { close(started) })
		}
		return nil
	})
	go func() { s.code <- s.a.Run() }()
	select {
	case <-started:
	case code := <-s.code:
		t.Fatalf("application ended with code %d before serving; log:\n%s", code, s.logText())
	case <-time.After(10 * time.Second):
		t.Fatal("the web container did not start within 10 s")
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// stop stops the application and returns its exit code.
func (s *server) stop() int {
	s.t.Helper()
	if !s.exited {
		s.a.Stop()
	}
	return s.wait()
}

// wait waits for the application's Run to return and gives its code.
func (s *server) wait() int {
	s.t.Helper()
	if s.exited {
		return s.exit
	}
	select {
	case s.exit = <-s.code:
		s.exited = true
		return s.exit
	case <-time.After(15 * time.Second):
		s.t.Fatal("the application did not exit within 15 s")
		return -1
	}
}

// url is the base URL of the default container's i-th listener.
func (s *server) url(i int) string { return s.svc.URL(i) }

func (s *server) logText() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// logLine is one JSON log line.
type logLine struct {
	Level   string         `json:"level"`
	Logger  string         `json:"logger"`
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields"`
}

// logLines returns the JSON log lines of logger name (after the app ended,
// when the log is flushed).
func (s *server) logLines(name string) []logLine {
	s.t.Helper()
	f, err := os.Open(s.logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	var out []logLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			s.t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if l.Logger == name {
			out = append(out, l)
		}
	}
	return out
}

// get does a GET and returns status and body.
func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return res.StatusCode, strings.TrimSpace(string(b))
}
