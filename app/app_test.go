package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/pubsub"
)

// quiet builds an application whose start-up errors go to a buffer.
func quiet(t *testing.T, opts ...Option) (*Application, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	a := newWithStderr(&buf, append([]Option{WithName("t")}, opts...)...)
	t.Cleanup(a.Release)
	return a, &buf
}

func TestSetExitCodeSequence(t *testing.T) {
	a, _ := quiet(t, WithArgs())
	type state struct {
		code    int
		restart bool
	}
	var got []state
	record := func() { c, r := a.ExitCode(); got = append(got, state{c, r}) }
	a.SetExitCode(5, false)
	record()
	a.SetExitCode(2, false)
	record()
	a.SetExitCode(2, true)
	record()
	a.Restart()
	record()
	a.SetExitCode(9, true)
	record()
	want := []state{{5, false}, {5, false}, {2, false}, {2, true}, {2, true}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("step %d: got %+v, want %+v (all: %+v)", i+1, got[i], want[i], got)
		}
	}
}

func TestCommandLineErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.conf")
	cases := []struct {
		name string
		args []string
		env  string
		code int
		text string
	}{
		{"unknown flag", []string{"--bogus"}, "", 2, "flag provided but not defined: -bogus"},
		{"missing -c file", []string{"-c", missing}, "", 1, "nope.conf"},
		{"missing ASAB_CONFIG file", nil, missing, 1, "nope.conf"},
		{"help", []string{"--help"}, "", 0, ""},
		{"version", []string{"--version"}, "", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ASAB_CONFIG", tc.env)
			a, stderr := quiet(t, WithArgs(tc.args...), WithVersion("1.2.3"))
			if code := a.Run(); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr.String(), tc.text) {
				t.Fatalf("stderr %q lacks %q", stderr, tc.text)
			}
			if n := strings.Count(stderr.String(), "usage:"); tc.code == 2 && n != 1 {
				t.Fatalf("usage printed %d times on stderr, want once: %q", n, stderr)
			}
			if tc.code == 2 && strings.Index(stderr.String(), tc.text) > strings.Index(stderr.String(), "usage:") {
				t.Fatalf("the error comes after the usage: %q", stderr)
			}
		})
	}
}

func TestStandardAndApplicationFlags(t *testing.T) {
	var port int
	a, _ := quiet(t, WithArgs("-v", "--log-file", "/tmp/x.log", "-s", "--port", "8081", "rest"),
		WithFlags(func(fs *flag.FlagSet) { fs.IntVar(&port, "port", 80, "port") }))
	cl := a.CommandLine()
	if !cl.Verbose || cl.LogFile != "/tmp/x.log" || !cl.Syslog || port != 8081 || len(cl.Args) != 1 || cl.Args[0] != "rest" {
		t.Fatalf("parsed %+v, port %d", cl, port)
	}
}

func TestOnlyOneCurrentApplication(t *testing.T) {
	a, _ := quiet(t, WithArgs())
	if Current() != a || Config() != a.Config() {
		t.Fatal("New did not make the application current")
	}
	b, stderr := quiet(t, WithArgs())
	if b.Err() == nil || b.Run() != 1 || !strings.Contains(stderr.String(), "already current") {
		t.Fatalf("second application: err %v, stderr %q", b.Err(), stderr)
	}
	a.Release()
	c, _ := quiet(t, WithArgs())
	if c.Err() != nil || Current() != c {
		t.Fatalf("after Release: %v", c.Err())
	}
}

func TestBlockedTickSubscriberDoesNotStallStop(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	blocked := make(chan struct{})
	a, _ := quiet(t, WithArgs(), WithConfigString("[general]\ntick_period=0.01\nshutdown_timeout=0.3\n"))
	var once atomic.Bool
	a.PubSub().Subscribe(pubsub.Tick, func(pubsub.Message) error {
		if once.CompareAndSwap(false, true) {
			close(blocked)
			<-release
		}
		return nil
	})
	go func() { <-blocked; a.Stop() }()
	done := make(chan int)
	go func() { done <- a.Run() }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return while a tick subscriber was blocked")
	}
}

func TestFailingTaskStopsWithExitCodeOne(t *testing.T) {
	a, _ := quiet(t, WithArgs(), WithMain(func(ctx context.Context, a *Application) error {
		return a.Go("worker", func(ctx context.Context) error { return errors.New("disk full") })
	}))
	if code := a.Run(); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
}

func TestTolerantTaskDoesNotStop(t *testing.T) {
	a, _ := quiet(t, WithArgs(), WithMain(func(ctx context.Context, a *Application) error {
		_ = a.Go("flaky", func(ctx context.Context) error { panic("oops") }, TolerateFailure())
		return a.Go("waiter", func(ctx context.Context) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
				a.Stop()
				return nil
			}
		})
	}))
	if code := a.Run(); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
}

func TestBadGeneralSettingsAreNamedAndQuoted(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{"[general]\ntick_period = soon\n", `tick_period = "soon"`},
		{"[general]\ntick_period = 0\n", `configuration [general] tick_period = "0": must be a positive duration`},
		{"[general]\nshutdown_timeout = 0\n", `configuration [general] shutdown_timeout = "0": must be a positive duration`},
	} {
		a, stderr := quiet(t, WithArgs(), WithConfigString(tc.conf))
		if code := a.Run(); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Fatalf("%q: exit %d, stderr %q; want %q", tc.conf, code, stderr, tc.want)
		}
	}
}

func TestConfigFromFileAndEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("[my]\nkey = from file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASAB_CONFIG", path)
	a, _ := quiet(t, WithArgs())
	if v, err := a.Config().Get("my", "key"); err != nil || v != "from file" {
		t.Fatalf("got %q, %v", v, err)
	}
}
