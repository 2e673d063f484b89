package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/module"
	"github.com/asabgo/asab/pubsub"
)

// tunable is the service of the reload scenario: it applies [tunable]
// level at run time, refuses a level outside 1..10, and declares [tunable]
// listen static.
type tunable struct {
	level chan int // the level in force, read by the HTTP handler
}

var (
	_ module.ConfigValidator = (*tunable)(nil)
	_ module.Reloader        = (*tunable)(nil)
)

func tunableLevel(cfg *config.Config) (int, error) {
	n, err := cfg.GetInt("tunable", "level")
	if err != nil {
		return 0, err
	}
	if n < 1 || n > 10 {
		v, _ := cfg.Get("tunable", "level")
		return 0, fmt.Errorf("[tunable] level = %q: must be between 1 and 10", v)
	}
	return n, nil
}

func (t *tunable) ValidateConfig(cfg *config.Config) error {
	_, err := tunableLevel(cfg)
	return err
}

func (t *tunable) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	n, err := tunableLevel(cfg)
	if err != nil {
		return err
	}
	<-t.level
	t.level <- n
	say("applied level=%d changed=%v", n, changed)
	return nil
}

// reloadScenario runs the tunable service with the configuration file and
// log file the test gives, and answers GET /level (the level in force) and
// GET /listen ([tunable] listen as Config reads it) on a free port.
func reloadScenario() int {
	a := New(WithName("reload"), WithArgs("-c", os.Getenv("ASAB_TEST_CONF"), "-l", os.Getenv("ASAB_TEST_LOG_FILE")),
		WithMain(func(ctx context.Context, a *Application) error {
			t, err := Service[*tunable](a)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			mux := http.NewServeMux()
			mux.HandleFunc("/level", func(w http.ResponseWriter, r *http.Request) {
				n := <-t.level
				t.level <- n
				fmt.Fprint(w, n)
			})
			mux.HandleFunc("/listen", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, valueOf(a.Config(), "tunable", "listen"))
			})
			srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
			go func() { <-ctx.Done(); _ = srv.Close() }()
			say("ready port=%d", ln.Addr().(*net.TCPAddr).Port)
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}))
	err := a.AddModule(func(a *Application) (any, error) {
		n, err := tunableLevel(a.Config())
		if err != nil {
			return nil, err
		}
		t := &tunable{level: make(chan int, 1)}
		t.level <- n
		a.ReloadStatic("tunable", "listen")
		return nil, a.RegisterService("tunable", t)
	})
	if err != nil {
		return 1
	}
	a.PubSub().Subscribe(pubsub.Reload, func(m pubsub.Message) error {
		say("%s %v", m.Type, m.Args[0])
		return nil
	})
	return a.Run()
}

func init() { scenarios["reload"] = reloadScenario }

// TestSIGHUPReloadsTheConfiguration drives one child through a good edit, a
// syntax error, a value its validator refuses and a changed static key, each
// with a real SIGHUP, and checks what it applies, publishes, logs and
// answers after each, and that the log file is still rotated.
func TestSIGHUPReloadsTheConfiguration(t *testing.T) {
	dir := t.TempDir()
	conf, logFile := filepath.Join(dir, "app.conf"), filepath.Join(dir, "app.log")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(conf, []byte("[logging:file]\nbackup_count = 10\n"+text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[tunable]\nlevel = 1\nlisten = 127.0.0.1 1111\n[other]\nx = 1\n")
	c := startChild(t, "reload", "ASAB_TEST_CONF="+conf, "ASAB_TEST_LOG_FILE="+logFile)
	var port int
	c.waitLine(func(line string) bool {
		_, err := fmt.Sscanf(line, "ready port=%d", &port)
		return err == nil
	})
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("GET %s: %v (the child must still answer); stderr:\n%s", path, err, c.stderr)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitLog := func(what string) string {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			b, _ := os.ReadFile(logFile)
			for _, line := range strings.Split(string(b), "\n") {
				if strings.Contains(line, what) {
					return line
				}
			}
		}
		b, _ := os.ReadFile(logFile)
		t.Fatalf("no log line with %q in %s:\n%s", what, logFile, b)
		return ""
	}

	// A good edit: a changed value and a new section.
	write("[tunable]\nlevel = 2\nlisten = 127.0.0.1 1111\n[other]\nx = 1\n[extra]\nk = v\n")
	c.signal(syscall.SIGHUP)
	c.next("Application.reload! [tunable extra]")
	c.next("applied level=2 changed=[tunable extra]")
	if got := get("/level"); got != "2" {
		t.Fatalf("level after a good edit: %s", got)
	}

	// A syntax error: an ERROR with file:line, nothing changes.
	write("[tunable]\nlevel = 3\n[broken\n")
	c.signal(syscall.SIGHUP)
	line := waitLog("Configuration reload failed")
	if !strings.Contains(line, conf+":5:") || !strings.Contains(line, "ERROR") {
		t.Fatalf("the reload error does not name %s:5 at ERROR: %s", conf, line)
	}
	if got := get("/level"); got != "2" {
		t.Fatalf("level after a syntax error: %s", got)
	}

	// A value the validator refuses: an ERROR with section, key and value,
	// nothing changes (not even [other], which the same edit changes).
	write("[tunable]\nlevel = 99\nlisten = 127.0.0.1 1111\n[other]\nx = 2\n[extra]\nk = v\n")
	c.signal(syscall.SIGHUP)
	line = waitLog("New configuration refused")
	if !strings.Contains(line, "tunable") || !strings.Contains(line, `level = \"99\"`) || !strings.Contains(line, "ERROR") {
		t.Fatalf("the refusal does not name [tunable] level = \"99\": %s", line)
	}
	if got := get("/level"); got != "2" {
		t.Fatalf("level after a refused value: %s", got)
	}

	// A static key: a WARNING naming it, the old value kept, the rest
	// applied; [tunable] listen does not count as a change.
	write("[tunable]\nlevel = 3\nlisten = 127.0.0.1 2222\n[other]\nx = 1\n[extra]\nk = v\n")
	c.signal(syscall.SIGHUP)
	c.next("Application.reload! [tunable]")
	c.next("applied level=3 changed=[tunable]")
	line = waitLog("cannot change at run time")
	for _, want := range []string{"WARNING", "tunable", "listen", "127.0.0.1 1111", "127.0.0.1 2222"} {
		if !strings.Contains(line, want) {
			t.Errorf("the static-key warning lacks %q: %s", want, line)
		}
	}
	if got := get("/listen"); got != "127.0.0.1 1111" {
		t.Fatalf("[tunable] listen after a static change: %q, want the old value", got)
	}

	c.signal(syscall.SIGTERM)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	// Each SIGHUP still rotated the log: the first reload's NOTICE is in
	// the file rotated at the second SIGHUP, three rotations back.
	b, err := os.ReadFile(logFile + ".3")
	if err != nil {
		t.Fatalf("the log was not rotated on SIGHUP: %v", err)
	}
	if !strings.Contains(string(b), "Configuration reloaded") || strings.Contains(string(b), "reload failed") {
		t.Fatalf("%s.3 is not the log between the first and the second SIGHUP:\n%s", logFile, b)
	}
}

// waitLine reads lines until match accepts one.
func (c *child) waitLine(match func(string) bool) {
	c.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("child ended; saw %q; stderr:\n%s", c.seen, c.stderr.String())
			}
			c.seen = append(c.seen, line)
			if match(line) {
				return
			}
		case <-timeout:
			c.t.Fatalf("no matching line within 20s; saw %q; stderr:\n%s", c.seen, c.stderr.String())
		}
	}
}

// next requires the next stdout line to be want.
func (c *child) next(want string) {
	c.t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			c.t.Fatalf("child ended before %q; saw %q; stderr:\n%s", want, c.seen, c.stderr.String())
		}
		c.seen = append(c.seen, line)
		if line != want {
			c.t.Fatalf("next line %q, want %q; saw %q", line, want, c.seen)
		}
	case <-time.After(20 * time.Second):
		c.t.Fatalf("no %q within 20s; saw %q; stderr:\n%s", want, c.seen, c.stderr.String())
	}
}

// reloadAtExitScenario logs to ASAB_TEST_LOG_FILE and, once its Main is
// the background task that exit-time waits for (as a web container is
// during stop_delay and its drain), says "draining", waits for a SIGHUP
// (Application.hup!) and then for the log file to show what the reload
// made of it (for up to 5 s), so that the test can send SIGHUP then.
func reloadAtExitScenario() int {
	logFile := os.Getenv("ASAB_TEST_LOG_FILE")
	hup := make(chan struct{}, 1)
	a := New(WithName("reload-at-exit"), WithArgs("-l", logFile),
		WithMain(func(ctx context.Context, a *Application) error {
			say("ready")
			<-ctx.Done()
			for {
				a.mu.Lock()
				closed := a.tasksClosed
				a.mu.Unlock()
				if closed {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			say("draining")
			select {
			case <-hup:
			case <-time.After(20 * time.Second):
				return errors.New("no SIGHUP at exit-time")
			}
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if b, _ := os.ReadFile(logFile); strings.Contains(string(b), "reload") {
					break
				}
			}
			return nil
		}))
	a.PubSub().Subscribe(pubsub.Hup, func(pubsub.Message) error {
		select {
		case hup <- struct{}{}:
		default:
		}
		return nil
	})
	return a.Run()
}

func init() { scenarios["reload-at-exit"] = reloadAtExitScenario }

// TestSIGHUPAtExitTimeIsNamed: a SIGHUP while the application exits (here
// while exit-time waits for a background task, as it does for a web
// container during stop_delay) is not a reload, and the log says so with
// a WARNING, as for one before run-time, rather than dropping it without a
// word.
func TestSIGHUPAtExitTimeIsNamed(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "app.log")
	c := startChild(t, "reload-at-exit", "ASAB_TEST_LOG_FILE="+logFile)
	c.waitFor("ready")
	c.signal(syscall.SIGTERM)
	c.waitFor("draining")
	c.signal(syscall.SIGHUP)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	found, b := lastLogLine(logFile, "Configuration not reloaded")
	if !strings.Contains(found, "WARNING") || !strings.Contains(found, "exiting") {
		t.Fatalf("no WARNING naming the exit for a SIGHUP at exit-time (got %q) in:\n%s", found, b)
	}
}

// TestSIGHUPRefusesAVanishedInclude: a file that [general] include names by
// its path and that the running configuration was read from is gone at a
// SIGHUP (a mount that failed, a deployment half done). The reload is
// refused with an ERROR naming the include's file and line and the missing
// file, instead of silently dropping what the file set; nothing is
// published. A file a glob matched that is removed is a change: applied.
func TestSIGHUPRefusesAVanishedInclude(t *testing.T) {
	dir := t.TempDir()
	conf, logFile := filepath.Join(dir, "app.conf"), filepath.Join(dir, "app.log")
	secrets, extra := filepath.Join(dir, "secrets.conf"), filepath.Join(dir, "conf.d", "extra.conf")
	files := map[string]string{
		conf:    "[general]\ninclude =\n  ${THIS_DIR}/secrets.conf\n  ${THIS_DIR}/conf.d/*.conf\n[tunable]\nlevel = 1\n",
		secrets: "[other]\ntoken = s3cret\n",
		extra:   "[extra]\nk = v\n",
	}
	if err := os.MkdirAll(filepath.Dir(extra), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, text := range files {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := startChild(t, "reload", "ASAB_TEST_CONF="+conf, "ASAB_TEST_LOG_FILE="+logFile)
	c.waitLine(func(line string) bool { return strings.HasPrefix(line, "ready port=") })

	if err := os.Remove(secrets); err != nil {
		t.Fatal(err)
	}
	c.signal(syscall.SIGHUP)
	var line string
	for deadline := time.Now().Add(20 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		line, _ = lastLogLine(logFile, "Configuration reload failed", "Configuration reloaded")
	}
	for _, want := range []string{"ERROR", "Configuration reload failed", conf + ":2:", secrets} {
		if !strings.Contains(line, want) {
			t.Fatalf("the reload after %s vanished: want a line with %q, got %q", secrets, want, line)
		}
	}

	// Removing a glob's match is a change; the next line on stdout must be
	// its reload!, not one of the refused reload.
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secrets, []byte(files[secrets]), 0o600); err != nil {
		t.Fatal(err)
	}
	c.signal(syscall.SIGHUP)
	c.next("Application.reload! [extra]")
	c.next("applied level=1 changed=[extra]")
	c.signal(syscall.SIGTERM)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
}

// TestReloadNoticeFollowsTheNewLevel: a SIGHUP that lowers [logging] level
// from WARNING to NOTICE logs its own NOTICE "Configuration reloaded": the
// logging pipeline applies the new thresholds before the line is written,
// so an operator who turned the level down sees the reload confirmed.
func TestReloadNoticeFollowsTheNewLevel(t *testing.T) {
	dir := t.TempDir()
	conf, logFile := filepath.Join(dir, "app.conf"), filepath.Join(dir, "app.log")
	write := func(level string, n int) {
		t.Helper()
		text := fmt.Sprintf("[logging]\nlevel = %s\n[logging:file]\nbackup_count = 0\n[tunable]\nlevel = %d\n", level, n)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("WARNING", 1)
	c := startChild(t, "reload", "ASAB_TEST_CONF="+conf, "ASAB_TEST_LOG_FILE="+logFile)
	c.waitLine(func(line string) bool { return strings.HasPrefix(line, "ready port=") })
	write("NOTICE", 2)
	c.signal(syscall.SIGHUP)
	c.next("Application.reload! [logging tunable]")
	c.next("applied level=2 changed=[logging tunable]")
	c.signal(syscall.SIGTERM)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "NOTICE asab.application [sd changed=\"logging, tunable\"] Configuration reloaded") {
		t.Fatalf("no NOTICE Configuration reloaded after the level went down to NOTICE:\n%s", b)
	}
}

// TestReloadWarnsAboutUnknownKeys: a key that [logging] or [general] does
// not know, added by an edit before a SIGHUP (a typo such as "levle"), is
// a WARNING naming file:line and the key, as at start-up.
func TestReloadWarnsAboutUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	conf, logFile := filepath.Join(dir, "app.conf"), filepath.Join(dir, "app.log")
	write := func(extra string) {
		t.Helper()
		text := "[logging:file]\nbackup_count = 0\n[tunable]\nlevel = 1\n" + extra
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	c := startChild(t, "reload", "ASAB_TEST_CONF="+conf, "ASAB_TEST_LOG_FILE="+logFile)
	c.waitLine(func(line string) bool { return strings.HasPrefix(line, "ready port=") })
	write("[logging]\nlevle = DEBUG\n[general]\ntick_peroid = 1s\n")
	c.signal(syscall.SIGHUP)
	c.next("Application.reload! [general logging]")
	c.signal(syscall.SIGTERM)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{conf + `:6: [logging] unknown key "levle"`, conf + `:8: [general] unknown key "tick_peroid"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no WARNING %q in the log:\n%s", want, b)
		}
	}
}

// blockingReloader is a Reloader that says "reloading" and then waits for
// its context to end.
type blockingReloader struct{}

func (blockingReloader) Reload(ctx context.Context, _ *config.Config, _ []string) error {
	say("reloading")
	<-ctx.Done()
	return ctx.Err()
}

// slowReloadScenario runs a blockingReloader, logging to ASAB_TEST_LOG_FILE.
func slowReloadScenario() int {
	a := New(WithName("slow-reload"), WithArgs("-l", os.Getenv("ASAB_TEST_LOG_FILE")),
		WithMain(func(ctx context.Context, a *Application) error {
			say("ready")
			<-ctx.Done()
			return nil
		}))
	if err := a.AddModule(func(a *Application) (any, error) { return nil, a.RegisterService("blocker", blockingReloader{}) }); err != nil {
		return 1
	}
	return a.Run()
}

func init() { scenarios["slow-reload"] = slowReloadScenario }

// TestReloadCutShortByTheStopSaysSo: a stop while a Reloader still works
// ends the reload's context; the ERROR names the stop, not the
// reload_timeout that did not run out.
func TestReloadCutShortByTheStopSaysSo(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "app.log")
	c := startChild(t, "slow-reload", "ASAB_TEST_LOG_FILE="+logFile)
	c.waitFor("ready")
	c.signal(syscall.SIGHUP)
	c.waitFor("reloading")
	c.signal(syscall.SIGTERM)
	if _, code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	line, b := lastLogLine(logFile, "Applying the new configuration failed")
	if !strings.Contains(line, `service \"blocker\"`) || !strings.Contains(line, "stop") || strings.Contains(line, "reload_timeout") {
		t.Fatalf("the ERROR for a reload cut short by the stop: %q; log:\n%s", line, b)
	}
}

// lastLogLine returns the last line of the file at path that holds one of
// subs ("" when none does, or the file cannot be read) and the whole file.
func lastLogLine(path string, subs ...string) (string, []byte) {
	b, _ := os.ReadFile(path)
	var found string
	for _, l := range strings.Split(string(b), "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				found = l
				break
			}
		}
	}
	return found, b
}
