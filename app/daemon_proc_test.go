package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/internal/daemon"
	"golang.org/x/sys/unix"
)

// daemonBox is a directory that the user nobody can enter, holding the
// built test program and a sticky, world-writable run/ directory for
// pidfiles and logs (t.TempDir is 0700, which a dropped daemon could not
// even execute from).
type daemonBox struct {
	t   *testing.T
	dir string
	bin string
	run string
}

func newDaemonBox(t *testing.T) *daemonBox {
	t.Helper()
	dir, err := os.MkdirTemp("", "asab-daemon-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	b := &daemonBox{t: t, dir: dir, bin: filepath.Join(dir, "daemonapp"), run: filepath.Join(dir, "run")}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(b.run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(b.run, 0o1777); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", b.bin, "./testdata/daemonapp")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the test program: %v\n%s", err, out)
	}
	return b
}

// config writes a configuration file with the pidfile in run/ and extra
// lines appended, and returns its path.
func (b *daemonBox) config(name, extra string) string {
	b.t.Helper()
	text := fmt.Sprintf("[daemon]\npidfile=%s\nkill_timeout=5\n\n[logging:file]\npath=%s\n\n%s\n",
		b.pidfile(), filepath.Join(b.run, name+".log"), extra)
	path := filepath.Join(b.dir, name+".conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

func (b *daemonBox) pidfile() string { return filepath.Join(b.run, "daemonapp.pid") }

// cmd runs the program to completion (bounded) and returns its exit code
// and combined output.
func (b *daemonBox) cmd(args ...string) (int, string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, b.bin, args...)
	c.Dir = b.dir
	out, err := c.CombinedOutput()
	if err != nil && c.ProcessState == nil {
		b.t.Fatalf("run %v: %v", args, err)
	}
	return c.ProcessState.ExitCode(), string(out)
}

// readPid returns the pid in the pidfile, failing the test when there is
// none.
func (b *daemonBox) readPid() int {
	b.t.Helper()
	content, err := os.ReadFile(b.pidfile())
	if err != nil {
		b.t.Fatalf("pidfile: %v", err)
	}
	pid, err := daemon.ParsePid(content)
	if err != nil || pid == 0 {
		b.t.Fatalf("pidfile content %q: %v", content, err)
	}
	b.t.Cleanup(func() {
		if daemon.Alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid
}

// procStat returns the fields of /proc/<pid>/stat after the command name:
// state, ppid, pgrp, session, ...
func procStat(t *testing.T, pid int) []string {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
}

func mustContain(t *testing.T, out, want string) {
	t.Helper()
	if !strings.Contains(out, want) {
		t.Fatalf("output does not contain %q:\n%s", want, out)
	}
}

// TestDaemon builds the test program once and runs the daemon scenarios
// with it, one after another (they share the pidfile).
func TestDaemon(t *testing.T) {
	box := newDaemonBox(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *daemonBox)
	}{
		{"StartKill", testDaemonStartKill},
		{"StalePidfile", testDaemonStalePidfile},
		{"DropsToNobody", testDaemonDropsToNobody},
		{"ReportsStartFailure", testDaemonReportsStartFailure},
		{"WorkingDirChecked", testDaemonWorkingDirChecked},
		{"Notify", testDaemonNotify},
		{"Restart", testDaemonRestart},
	} {
		fn := tc.fn
		t.Run(tc.name, func(t *testing.T) {
			b := *box
			b.t = t
			fn(t, &b)
		})
	}
}

func testDaemonStartKill(t *testing.T, b *daemonBox) {
	conf := b.config("basic", "")

	code, out := b.cmd("-d", "-c", conf)
	if code != 0 {
		t.Fatalf("-d exited %d:\n%s", code, out)
	}
	// The parent has returned: the pidfile must already name a live daemon.
	pid := b.readPid()
	if !daemon.Alive(pid) {
		t.Fatalf("pid %d from the pidfile is not running", pid)
	}
	mustContain(t, out, fmt.Sprintf("daemon started as pid %d", pid))
	st := procStat(t, pid)
	mySid, _ := unix.Getsid(0)
	if st[3] != strconv.Itoa(pid) || st[3] == strconv.Itoa(mySid) {
		t.Fatalf("daemon session %s, want its own pid %d (test session %d)", st[3], pid, mySid)
	}
	if st[1] == strconv.Itoa(os.Getpid()) {
		t.Fatalf("daemon's parent is the test process")
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00"); len(args) != 2 || args[1] != "-c="+conf {
		t.Fatalf("daemon command line %q, want the flags without -d", args)
	}

	code, out = b.cmd("-d", "-c", conf)
	if code != 1 {
		t.Fatalf("second -d exited %d, want 1:\n%s", code, out)
	}
	mustContain(t, out, fmt.Sprintf("already running as pid %d", pid))
	if b.readPid() != pid {
		t.Fatal("second -d changed the pidfile")
	}

	code, out = b.cmd("-k", "-c", conf)
	if code != 0 {
		t.Fatalf("-k exited %d:\n%s", code, out)
	}
	mustContain(t, out, fmt.Sprintf("stopped pid %d", pid))
	if daemon.Alive(pid) {
		t.Fatalf("pid %d still running after -k", pid)
	}
	if _, err := os.Stat(b.pidfile()); !os.IsNotExist(err) {
		t.Fatalf("pidfile still there after -k: %v", err)
	}

	code, out = b.cmd("-k", "-c", conf)
	if code != 0 {
		t.Fatalf("-k without a daemon exited %d:\n%s", code, out)
	}
	mustContain(t, out, "not running (no pidfile")
}

// deadPid returns the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

func testDaemonStalePidfile(t *testing.T, b *daemonBox) {
	conf := b.config("stale", "")
	dead := deadPid(t)

	// -k on a stale pidfile: nothing is signalled, the file goes.
	if err := os.WriteFile(b.pidfile(), []byte(strconv.Itoa(dead)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := b.cmd("-k", "-c", conf)
	if code != 0 {
		t.Fatalf("-k on a stale pidfile exited %d:\n%s", code, out)
	}
	mustContain(t, out, fmt.Sprintf("stale pidfile %s names pid %d", b.pidfile(), dead))
	if _, err := os.Stat(b.pidfile()); !os.IsNotExist(err) {
		t.Fatalf("stale pidfile not removed by -k: %v", err)
	}

	// -d over a stale pidfile: a warning, then the new pid.
	if err := os.WriteFile(b.pidfile(), []byte(strconv.Itoa(dead)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = b.cmd("-d", "-c", conf)
	if code != 0 {
		t.Fatalf("-d over a stale pidfile exited %d:\n%s", code, out)
	}
	mustContain(t, out, fmt.Sprintf("warning: stale pidfile %s (pid %d", b.pidfile(), dead))
	if pid := b.readPid(); pid == dead || !daemon.Alive(pid) {
		t.Fatalf("pidfile names %d, want the new live daemon", pid)
	}
	if code, out := b.cmd("-k", "-c", conf); code != 0 {
		t.Fatalf("-k exited %d:\n%s", code, out)
	}

	// A pidfile that is not a pid: -k says so and fails.
	if err := os.WriteFile(b.pidfile(), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = b.cmd("-k", "-c", conf)
	if code != 1 {
		t.Fatalf("-k on a garbage pidfile exited %d:\n%s", code, out)
	}
	mustContain(t, out, `content "garbage" is not a pid`)
	code, out = b.cmd("-d", "-c", conf)
	if code != 1 {
		t.Fatalf("-d over a garbage pidfile exited %d:\n%s", code, out)
	}
	mustContain(t, out, `content "garbage" is not a pid`)
	if err := os.Remove(b.pidfile()); err != nil {
		t.Fatal(err)
	}
}

func testDaemonDropsToNobody(t *testing.T, b *daemonBox) {
	if os.Getuid() != 0 {
		t.Skip("needs root to drop privileges")
	}
	conf := b.config("nobody", "[general]\nuid=nobody\ngid=nogroup\n")
	code, out := b.cmd("-d", "-c", conf)
	if code != 0 {
		t.Fatalf("-d as nobody exited %d:\n%s", code, out)
	}
	pid := b.readPid()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "\nUid:\t65534\t65534\t65534\t65534\n") ||
		!strings.Contains(string(status), "\nGid:\t65534\t65534\t65534\t65534\n") {
		t.Fatalf("daemon credentials are not nobody/nogroup:\n%s", status)
	}
	if code, out := b.cmd("-k", "-c", conf); code != 0 {
		t.Fatalf("-k exited %d:\n%s", code, out)
	}
	if _, err := os.Stat(b.pidfile()); !os.IsNotExist(err) {
		t.Fatalf("pidfile not removed by the unprivileged daemon: %v", err)
	}
}

func testDaemonReportsStartFailure(t *testing.T, b *daemonBox) {
	// Only the daemon finds this out (logging is set up there).
	conf := b.config("broken", "[logging]\nlevel=LOUD\n")
	code, out := b.cmd("-d", "-c", conf)
	if code != 1 {
		t.Fatalf("-d with a broken logging section exited %d:\n%s", code, out)
	}
	mustContain(t, out, "exited with code 1 before it was ready")
	if _, err := os.Stat(b.pidfile()); !os.IsNotExist(err) {
		t.Fatalf("a failed daemon left its pidfile: %v", err)
	}
}

// testDaemonRestart: a daemon that restarts keeps its pid, pidfile and lock
// (the re-executed process adopts them), and -k still stops it.
func testDaemonRestart(t *testing.T, b *daemonBox) {
	conf := b.config("restart", "")
	starts := filepath.Join(b.run, "starts")
	if code, out := b.cmd("-d", "-c", conf, "-starts", starts); code != 0 {
		t.Fatalf("-d exited %d:\n%s", code, out)
	}
	pid := b.readPid()
	waitStarts := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			text, _ := os.ReadFile(starts)
			if strings.Count(string(text), fmt.Sprintf("start %d\n", pid)) >= n {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("the daemon did not start %d times", n)
	}
	waitStarts(1)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	waitStarts(2)
	st, err := daemon.Probe(b.pidfile())
	if err != nil || st.State != daemon.Running || st.Pid != pid {
		t.Fatalf("after restart: %+v, %v; want running pid %d", st, err, pid)
	}
	if code, out := b.cmd("-k", "-c", conf); code != 0 {
		t.Fatalf("-k exited %d:\n%s", code, out)
	}
	if _, err := os.Stat(b.pidfile()); !os.IsNotExist(err) {
		t.Fatalf("pidfile left after -k of a restarted daemon: %v", err)
	}
}

// testDaemonWorkingDirChecked: a working_dir that is missing or not a
// directory is refused before the fork, naming the key and the value.
func testDaemonWorkingDirChecked(t *testing.T, b *daemonBox) {
	missing := filepath.Join(b.dir, "no-such-dir")
	file := filepath.Join(b.dir, "daemonapp") // the program: a file
	for _, c := range []struct{ section, dir, want string }{
		{"daemon", missing, fmt.Sprintf("-d: configuration [daemon] working_dir %q: no such directory", missing)},
		{"general", file, fmt.Sprintf("-d: configuration [general] working_dir %q: not a directory", file)},
	} {
		conf := filepath.Join(b.dir, "wd.conf")
		text := fmt.Sprintf("[%s]\npidfile=%s\nworking_dir=%s\n", c.section, b.pidfile(), c.dir)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out := b.cmd("-d", "-c", conf)
		if code != 1 {
			t.Fatalf("-d with a bad working_dir exited %d:\n%s", code, out)
		}
		mustContain(t, out, c.want)
		if strings.Contains(out, "fork/exec") {
			t.Fatalf("the error comes from the fork:\n%s", out)
		}
		if _, err := os.Stat(b.pidfile()); !os.IsNotExist(err) {
			t.Fatalf("a refused -d left a pidfile: %v", err)
		}
	}
}

// TestDaemonKillWaitsForShutdown: with kill_timeout unset, -k waits
// [general] shutdown_timeout plus a margin, so a daemon that takes 11 s to
// stop (more than the old fixed 10 s, within its 15 s shutdown_timeout) is
// reported stopped, not "did not stop".
func TestDaemonKillWaitsForShutdown(t *testing.T) {
	t.Parallel()
	b := newDaemonBox(t)
	conf := filepath.Join(b.dir, "slow.conf")
	text := fmt.Sprintf("[daemon]\npidfile=%s\n\n[general]\nshutdown_timeout=15s\n", b.pidfile())
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := b.cmd("-d", "-c", conf, "-stop-delay", "11s"); code != 0 {
		t.Fatalf("-d exited %d:\n%s", code, out)
	}
	pid := b.readPid()
	start := time.Now()
	code, out := b.cmd("-k", "-c", conf)
	if code != 0 {
		t.Fatalf("-k exited %d after %v:\n%s", code, time.Since(start).Round(time.Millisecond), out)
	}
	mustContain(t, out, fmt.Sprintf("stopped pid %d", pid))
	if time.Since(start) < 10*time.Second {
		t.Fatalf("the daemon stopped after %v, before its stop delay: the test proves nothing", time.Since(start))
	}
}
