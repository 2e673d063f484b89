package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/asabgo/asab/pubsub"
)

// restartRunsEnv counts the images of the slow-restart scenario: each one
// prints "run N" and sets N+1 for the image a restart executes.
const restartRunsEnv = "ASAB_APP_TEST_RUNS"

// restartFinalizeEnv sets how long the slow-restart scenario's Finalize
// takes (300 ms when unset).
const restartFinalizeEnv = "ASAB_APP_TEST_FINALIZE"

// restartFailEnv names the image (by its number) whose Initialize fails.
const restartFailEnv = "ASAB_APP_TEST_FAIL_AT"

// restartSockEnv names a unix socket the slow-restart scenario listens on.
const restartSockEnv = "ASAB_APP_TEST_SOCK"

// slowRestartScenario runs until a signal stops or restarts it; its
// Finalize says "finalize" and takes 300 ms, so that a test can signal it
// while it stops (restartFinalizeEnv sets another time).
func slowRestartScenario() int {
	n, _ := strconv.Atoi(os.Getenv(restartRunsEnv))
	n++
	_ = os.Setenv(restartRunsEnv, strconv.Itoa(n))
	a := New(WithName("slowrestart"), WithArgs(),
		WithConfigString("[general]\nshutdown_timeout = 10\ntick_period = 0.1\n[logging]\nlevel = NOTICE\n"),
		WithInitialize(func(ctx context.Context, a *Application) error {
			if os.Getenv(restartFailEnv) == strconv.Itoa(n) {
				return fmt.Errorf("image %d fails to start", n)
			}
			path := os.Getenv(restartSockEnv)
			if path == "" {
				return nil
			}
			lns, err := a.Listen(ctx, "unix "+path, func(ctx context.Context) ([]net.Listener, error) {
				var lc net.ListenConfig
				ln, err := lc.Listen(ctx, "unix", path)
				return []net.Listener{ln}, err
			})
			if err != nil {
				return err
			}
			a.PubSub().Subscribe(pubsub.Exit, func(pubsub.Message) error { return lns[0].Close() })
			return nil
		}),
		WithMain(func(ctx context.Context, a *Application) error {
			say("run %d", n)
			return nil
		}),
		WithFinalize(func(ctx context.Context, a *Application) error {
			say("finalize %d", n)
			d, err := time.ParseDuration(os.Getenv(restartFinalizeEnv))
			if err != nil {
				d = 300 * time.Millisecond
			}
			time.Sleep(d)
			return nil
		}))
	return a.Run()
}

func init() { scenarios["slow-restart"] = slowRestartScenario }

func (c *child) mustNotHaveSeen(t *testing.T, line string) {
	t.Helper()
	if contains(c.seen, line) {
		t.Fatalf("saw %q: lines %q; stderr:\n%s", line, c.seen, c.stderr)
	}
}

// TestSIGUSR2DuringARestartJoinsIt: SIGUSR2 sent again while a restart
// stops the old image is part of that restart. Before, each one counted as
// one more stop request, and the third ended the process with the
// emergency exit (code 70) instead of the new image.
func TestSIGUSR2DuringARestartJoinsIt(t *testing.T) {
	c := startChild(t, "slow-restart", restartFinalizeEnv+"=1s")
	c.waitFor("run 1")
	c.signal(syscall.SIGUSR2)
	c.waitFor("finalize 1")
	for range 3 {
		if err := c.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
			<-c.done
			t.Fatalf("%v: exit code %d; lines %q; stderr:\n%s", err, c.code, c.seen, c.stderr)
		}
		time.Sleep(30 * time.Millisecond)
	}
	c.waitFor("run 2")
	time.Sleep(1500 * time.Millisecond) // a third image would have started by now
	c.signal(syscall.SIGTERM)
	_, code := c.wait(15 * time.Second)
	if code != 0 {
		t.Fatalf("exit code %d, want 0; lines %q; stderr:\n%s", code, c.seen, c.stderr)
	}
	c.mustNotHaveSeen(t, "run 3")
}

// TestSIGUSR2BurstDoesNotKill sends SIGUSR2 every millisecond for 1.5 s,
// across several restarts: one that arrives while the binary is executed
// anew, before the new image handles it, must not kill the process (the
// default action of SIGUSR2 is to terminate). Before, the burst killed it
// at the first exec.
func TestSIGUSR2BurstDoesNotKill(t *testing.T) {
	c := startChild(t, "slow-restart")
	c.waitFor("run 1")
	pid := c.cmd.Process.Pid
	end := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(end) {
		if err := syscall.Kill(pid, syscall.SIGUSR2); err != nil {
			break // gone: reported below
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // the last restart completes
	select {
	case <-c.done:
		t.Fatalf("the process ended during a burst of SIGUSR2 (exit code %d, %s); lines %q; stderr:\n%s", c.code, c.cmd.ProcessState, c.seen, c.stderr)
	default:
	}
	c.signal(syscall.SIGTERM)
	lines, code := c.wait(15 * time.Second)
	if code != 0 || !contains(lines, "run 2") {
		t.Fatalf("exit code %d, want 0 after at least one restart; lines %q; stderr:\n%s", code, lines, c.stderr)
	}
}

// TestSIGTERMDuringARestartStops: SIGTERM (systemctl stop) while a restart
// is stopping the old image turns the restart into a stop: the process
// exits 0 and no new image runs. Before, the restart went on and the new
// image kept running, so a service manager waited for its stop timeout
// and killed it.
func TestSIGTERMDuringARestartStops(t *testing.T) {
	dir := t.TempDir()
	fake, sock := listenNotify(t, dir)
	unixSock := filepath.Join(dir, "app.sock")
	c := startChild(t, "slow-restart", "NOTIFY_SOCKET="+sock, restartSockEnv+"="+unixSock, restartFinalizeEnv+"=1s")
	c.waitFor("run 1")
	c.signal(syscall.SIGUSR2)
	c.waitFor("finalize 1")
	fake.waitFor("RELOADING=1")
	c.signal(syscall.SIGTERM)
	_, code := c.wait(10 * time.Second)
	if code != 0 {
		t.Fatalf("exit code %d, want 0; lines %q; stderr:\n%s", code, c.seen, c.stderr)
	}
	c.mustNotHaveSeen(t, "run 2")
	// The service manager, told RELOADING=1, is told of the stop.
	fake.waitFor("STOPPING=1")
	// The unix socket file, kept for the new image, goes with the stop.
	if _, err := os.Lstat(unixSock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("unix socket file left after the stop: %v", err)
	}
}

// TestSIGUSR2DuringAStopIsIgnored: SIGUSR2 while the application stops
// after SIGTERM does not turn the stop into a restart.
func TestSIGUSR2DuringAStopIsIgnored(t *testing.T) {
	c := startChild(t, "slow-restart", restartFinalizeEnv+"=1s")
	c.waitFor("run 1")
	c.signal(syscall.SIGTERM)
	c.waitFor("finalize 1")
	c.signal(syscall.SIGUSR2)
	_, code := c.wait(10 * time.Second)
	if code != 0 {
		t.Fatalf("exit code %d, want 0; lines %q; stderr:\n%s", code, c.seen, c.stderr)
	}
	c.mustNotHaveSeen(t, "run 2")
}

// strayHandoverScenario runs with ASAB_LISTEN_FDS set by the test, not by a
// restart: it makes a listener for the key the variable names and reports
// whether its fd 3 (a file the test passed) is still open at run-time.
func strayHandoverScenario() int {
	a := New(WithName("strayhandover"), WithArgs(),
		WithConfigString("[logging]\nlevel = NOTICE\n"),
		WithInitialize(func(ctx context.Context, a *Application) error {
			lns, err := a.Listen(ctx, "tcp 127.0.0.1:0", func(ctx context.Context) ([]net.Listener, error) {
				var lc net.ListenConfig
				ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
				return []net.Listener{ln}, err
			})
			if err != nil {
				return err
			}
			say("listening %d", len(lns))
			return nil
		}),
		WithMain(func(ctx context.Context, a *Application) error {
			if _, err := unix.FcntlInt(3, unix.F_GETFD, 0); err != nil {
				say("fd 3 closed: %v", err)
			} else {
				say("fd 3 open")
			}
			a.Stop()
			return nil
		}))
	return a.Run()
}

func init() { scenarios["stray-handover"] = strayHandoverScenario }

// TestStrayHandoverVariableIsIgnored: ASAB_LISTEN_FDS in the environment
// of a process that no restart made (set by mistake, copied from
// /proc/PID/environ of a restarted process) names descriptors that are not
// the sockets of a restart. Before, the application took them: a listen
// line of that key failed on a descriptor that is no socket (start-up
// aborted), and the others were closed at run-time, whatever they were (the
// Go runtime's epoll descriptor: a crash). Now the variable is trusted only
// from a restart of the same process, for listening sockets only, and
// ignored with a WARNING otherwise.
func TestStrayHandoverVariableIsIgnored(t *testing.T) {
	for _, tc := range []struct{ name, key string }{
		{"claimed", "tcp 127.0.0.1:0"},
		{"unclaimed", "tcp 127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "not-a-socket"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			stray := fmt.Sprintf(`[{"fd":3,"key":%q,"n":0}]`, tc.key)
			c := startChildFiles(t, "stray-handover", []*os.File{f}, handoverEnv+"="+stray)
			lines, code := c.wait(15 * time.Second)
			if code != 0 || !contains(lines, "listening 1") || !contains(lines, "fd 3 open") {
				t.Fatalf("exit code %d, lines %q, want 0 with a listener and fd 3 open; stderr:\n%s", code, lines, c.stderr)
			}
			if log := c.stderr.String(); !strings.Contains(log, "WARNING") || !strings.Contains(log, handoverEnv) {
				t.Fatalf("no WARNING naming %s:\n%s", handoverEnv, log)
			}
		})
	}
}

// startupRestartScenario makes two listeners at init-time, 400 ms apart
// (the test sends SIGUSR2 in between), and prints the port of each; the
// image a restart executes prints its own and stops.
func startupRestartScenario() int {
	n, _ := strconv.Atoi(os.Getenv(restartRunsEnv))
	n++
	_ = os.Setenv(restartRunsEnv, strconv.Itoa(n))
	listen := func(ctx context.Context, a *Application, key string) error {
		lns, err := a.Listen(ctx, key, func(ctx context.Context) ([]net.Listener, error) {
			var lc net.ListenConfig
			ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
			return []net.Listener{ln}, err
		})
		if err != nil {
			return err
		}
		say("image %d %s port %d", n, key, lns[0].Addr().(*net.TCPAddr).Port)
		return nil
	}
	a := New(WithName("startuprestart"), WithArgs(),
		WithConfigString("[logging]\nlevel = NOTICE\n"),
		WithInitialize(func(ctx context.Context, a *Application) error {
			if err := listen(ctx, a, "first"); err != nil {
				return err
			}
			if n == 1 {
				time.Sleep(400 * time.Millisecond)
			}
			return listen(ctx, a, "second")
		}),
		WithMain(func(ctx context.Context, a *Application) error {
			if n > 1 {
				a.Stop()
			}
			return nil
		}))
	return a.Run()
}

func init() { scenarios["startup-restart"] = startupRestartScenario }

// TestSIGUSR2DuringStartupHandsEverySocketOver: a restart asked for while
// init-time still makes listeners hands over those made after the request
// too. Before, only those made before it were kept: the others closed with
// the old image (connections in their backlog reset) and the new image
// bound anew (here: another port).
func TestSIGUSR2DuringStartupHandsEverySocketOver(t *testing.T) {
	c := startChild(t, "startup-restart")
	ports := map[string]string{}
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("ended early; lines %q; stderr:\n%s", c.seen, c.stderr)
			}
			c.seen = append(c.seen, line)
			f := strings.Fields(line) // image N KEY port P
			if len(f) != 5 || f[0] != "image" {
				continue
			}
			if f[1] == "1" && f[2] == "first" {
				c.signal(syscall.SIGUSR2)
			}
			if f[1] == "1" {
				ports[f[2]] = f[4]
			} else if ports[f[2]] != f[4] {
				t.Fatalf("%s listener: port %s before the restart, %s after; lines %q", f[2], ports[f[2]], f[4], c.seen)
			}
			if f[1] == "2" && f[2] == "second" {
				if _, code := c.wait(15 * time.Second); code != 0 {
					t.Fatalf("exit code %d; stderr:\n%s", code, c.stderr)
				}
				return
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no second image; lines %q; stderr:\n%s", c.seen, c.stderr)
		}
	}
}

// TestRestartOfADeletedBinaryIsRefused: a restart when the binary is gone
// from its path (deleted, not replaced) cannot execute anything. Before,
// the application stopped first (its sockets closed) and then exited 1
// with "restart failed: no such file or directory"; now it refuses the
// restart at once, logs an ERROR naming the path, and keeps running.
func TestRestartOfADeletedBinaryIsRefused(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "app.test")
	src, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	c := startChildBinary(t, bin, "slow-restart")
	c.waitFor("run 1")
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	c.signal(syscall.SIGUSR2)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.stderr.String(), "Restart refused") {
		if time.Now().After(deadline) {
			t.Fatalf("no refusal logged; lines %q; stderr:\n%s", c.seen, c.stderr)
		}
		select {
		case <-c.done:
			t.Fatalf("the process ended (exit code %d); lines %q; stderr:\n%s", c.code, c.seen, c.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if log := c.stderr.String(); !strings.Contains(log, bin) {
		t.Fatalf("the refusal does not name %s:\n%s", bin, log)
	}
	c.signal(syscall.SIGTERM)
	lines, code := c.wait(10 * time.Second)
	if code != 0 || contains(lines, "finalize 1") == false {
		t.Fatalf("exit code %d, lines %q: want a stop after the refused restart; stderr:\n%s", code, lines, c.stderr)
	}
}

// respelledScenario: the first image listens on 127.0.0.1:0 under the key
// "first" and restarts; the second listens on the port it got under
// another key ($ASAB_APP_TEST_HOST:port, as a listen line edited from
// "127.0.0.1 8080" to "localhost 8080" or "0.0.0.0 8080" before a restart
// makes it) and prints what it got.
func respelledScenario() int {
	n, _ := strconv.Atoi(os.Getenv(restartRunsEnv))
	n++
	_ = os.Setenv(restartRunsEnv, strconv.Itoa(n))
	a := New(WithName("respelled"), WithArgs(),
		WithConfigString("[logging]\nlevel = NOTICE\n"),
		WithInitialize(func(ctx context.Context, a *Application) error {
			key, addr := "first", "127.0.0.1:0"
			if n > 1 {
				key = os.Getenv("ASAB_APP_TEST_HOST") + ":" + os.Getenv("ASAB_APP_TEST_PORT")
				addr = key
			}
			lns, err := a.Listen(ctx, key, func(ctx context.Context) ([]net.Listener, error) {
				var lc net.ListenConfig
				ln, err := lc.Listen(ctx, "tcp", addr)
				if err != nil {
					return nil, err
				}
				return []net.Listener{ln}, nil
			})
			if err != nil {
				return err
			}
			port := lns[0].Addr().(*net.TCPAddr).Port
			_ = os.Setenv("ASAB_APP_TEST_PORT", strconv.Itoa(port))
			say("image %d %s", n, lns[0].Addr())
			return nil
		}),
		WithMain(func(ctx context.Context, a *Application) error {
			if n == 1 {
				a.Restart()
			} else {
				a.Stop()
			}
			return nil
		}))
	return a.Run()
}

func init() { scenarios["respelled"] = respelledScenario }

// TestRestartWithAListenLineRespelled: a listen line edited between two
// restarts so that it names the same port otherwise (another spelling of
// the address, another host) no longer matches the inherited socket's key.
// Before, the new image's bind failed with "address already in use" on
// the socket it had inherited itself (closed only when run-time begins),
// and the restart ended in exit code 1. Now the inherited socket of the
// same address is taken over, and one of the same port on another host is
// closed so that the new address can be bound.
func TestRestartWithAListenLineRespelled(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"localhost", "127.0.0.1"}, // the same address
		{"0.0.0.0", "::"},          // the same port, another host (dual-stack)
	} {
		t.Run(tc.host, func(t *testing.T) {
			c := startChild(t, "respelled", "ASAB_APP_TEST_HOST="+tc.host)
			lines, code := c.wait(15 * time.Second)
			if code != 0 || len(lines) != 2 {
				t.Fatalf("exit code %d, lines %q; want 0 and two images; stderr:\n%s", code, lines, c.stderr)
			}
			first := strings.Fields(lines[0])[2]
			_, port, _ := net.SplitHostPort(first)
			want := "image 2 " + net.JoinHostPort(tc.want, port)
			if tc.host == "0.0.0.0" && lines[1] == "image 2 "+net.JoinHostPort(tc.host, port) {
				want = lines[1] // no dual-stack socket on this machine
			}
			if lines[1] != want {
				t.Fatalf("second image: %q, want %q", lines[1], want)
			}
		})
	}
}
