package app

import (
	"context"
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
)

// restartRunsEnv counts the images of the slow-restart scenario: each one
// prints "run N" and sets N+1 for the image a restart executes.
const restartRunsEnv = "ASAB_APP_TEST_RUNS"

// slowRestartScenario runs until a signal stops or restarts it; its
// Finalize says "finalize" and takes 300 ms, so that a test can signal it
// while it stops.
func slowRestartScenario() int {
	n, _ := strconv.Atoi(os.Getenv(restartRunsEnv))
	n++
	_ = os.Setenv(restartRunsEnv, strconv.Itoa(n))
	a := New(WithName("slowrestart"), WithArgs(),
		WithConfigString("[general]\nshutdown_timeout = 10\n[logging]\nlevel = NOTICE\n"),
		WithMain(func(ctx context.Context, a *Application) error {
			say("run %d", n)
			return nil
		}),
		WithFinalize(func(ctx context.Context, a *Application) error {
			say("finalize %d", n)
			time.Sleep(300 * time.Millisecond)
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
	c := startChild(t, "slow-restart")
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
	time.Sleep(500 * time.Millisecond) // a third image would have started by now
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
	fake, sock := listenNotify(t, t.TempDir())
	c := startChild(t, "slow-restart", "NOTIFY_SOCKET="+sock)
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
}

// TestSIGUSR2DuringAStopIsIgnored: SIGUSR2 while the application stops
// after SIGTERM does not turn the stop into a restart.
func TestSIGUSR2DuringAStopIsIgnored(t *testing.T) {
	c := startChild(t, "slow-restart")
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
