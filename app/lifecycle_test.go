package app

import (
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPhaseOrderWithTwoModulesAndThreeServices(t *testing.T) {
	c := startChild(t, "phases")
	lines, code := c.wait(30 * time.Second)
	want := []string{
		"Application.init!",
		"user initialize",
		"module A initialize",
		"module B initialize",
		"service s2 initialize", // s1 waits for s3, its dependency
		"service s3 initialize",
		"service s1 initialize",
		"Application.run!",
		"main",
		"Application.stop! 1",
		"Application.exit!",
		"user finalize",
		"service s1 finalize",
		"service s3 finalize",
		"service s2 finalize",
		"module B finalize",
		"module A finalize",
	}
	if code != 0 || !reflect.DeepEqual(lines, want) {
		t.Fatalf("exit %d, lines:\n%s\nwant:\n%s\nstderr:\n%s", code, joinLines(lines), joinLines(want), c.stderr)
	}
	log := c.stderr.String()
	ready, exiting := strings.Index(log, "is ready."), strings.Index(log, "is exiting ...")
	if ready < 0 || exiting < ready || !strings.Contains(log, "NOTICE") {
		t.Fatalf("log lacks NOTICE 'is ready.' before 'is exiting ...':\n%s", log)
	}
}

// TestStopIsDeliveredBeforeExit: the goroutine that stops the application
// delivers Application.stop! while exit-time begins in another; exit! waits
// for it, however long its subscribers take (within the deadline).
func TestStopIsDeliveredBeforeExit(t *testing.T) {
	c := startChild(t, "slow-stop")
	lines, code := c.wait(30 * time.Second)
	stopAt, handledAt, exitAt := index(lines, "Application.stop! 1"), index(lines, "stop! handled"), index(lines, "Application.exit!")
	if code != 0 || stopAt < 0 || handledAt < stopAt || exitAt < handledAt {
		t.Fatalf("exit %d, want stop!, its slow subscriber, then exit!; lines:\n%s", code, joinLines(lines))
	}
}

func TestMainErrorExitsOneAndStillFinalizes(t *testing.T) {
	c := startChild(t, "main-error")
	lines, code := c.wait(30 * time.Second)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, c.stderr)
	}
	if !contains(lines, "user finalize") || !contains(lines, "Application.exit!") {
		t.Fatalf("finalize did not run: %q", lines)
	}
	if !strings.Contains(c.stderr.String(), "main broke") {
		t.Fatalf("the error is not logged:\n%s", c.stderr)
	}
}

func TestInitializeErrorNamesServiceAndFinalizesWhatStarted(t *testing.T) {
	c := startChild(t, "init-error")
	lines, code := c.wait(30 * time.Second)
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	for _, l := range []string{"service good initialize", "service broken initialize", "service good finalize", "module A finalize"} {
		if !contains(lines, l) {
			t.Fatalf("missing %q in %q", l, lines)
		}
	}
	for _, l := range []string{"service never initialize", "service broken finalize", "Application.run!", "main"} {
		if contains(lines, l) {
			t.Fatalf("unexpected %q in %q", l, lines)
		}
	}
	log := c.stderr.String()
	if !strings.Contains(log, `Service \"broken\"`) && !strings.Contains(log, `Service "broken"`) {
		t.Fatalf("log does not name the service:\n%s", log)
	}
	if !strings.Contains(log, "cannot open the database") {
		t.Fatalf("log lacks the cause:\n%s", log)
	}
}

func TestThreeSIGTERMsPublishStopAndExit70WhileFinalizeHangs(t *testing.T) {
	c := startChild(t, "hanging-finalize")
	c.waitFor("main")
	c.signal(syscall.SIGTERM)
	c.waitFor("service stuck finalize")
	c.signal(syscall.SIGTERM)
	c.waitFor("Application.stop! 2")
	c.signal(syscall.SIGTERM)
	// shutdown_timeout is 60 s: only the emergency exit ends it sooner.
	lines, code := c.wait(15 * time.Second)
	if code != ExitSoftware {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitSoftware, c.stderr)
	}
	// Every stop publishes, the third too, before the process exits.
	if !contains(lines, "Application.stop! 3") {
		t.Fatalf("no Application.stop! 3 before the emergency exit; lines %q", lines)
	}
	log := c.stderr.String()
	if !strings.Contains(log, "Emergency exit") || !strings.Contains(log, "service stuck") {
		t.Fatalf("log lacks the emergency line naming what hung:\n%s", log)
	}
}

func TestSIGHUPPublishesHupAndKeepsRunning(t *testing.T) {
	c := startChild(t, "hup")
	c.waitFor("main")
	c.signal(syscall.SIGHUP)
	c.waitFor("Application.hup!")
	c.signal(syscall.SIGHUP)
	c.waitFor("Application.hup!")
	if contains(c.seen, "Application.stop! 1") {
		t.Fatal("SIGHUP stopped the application")
	}
	c.signal(syscall.SIGTERM)
	lines, code := c.wait(30 * time.Second)
	if code != 0 || !contains(lines, "Application.stop! 1") {
		t.Fatalf("exit %d after SIGTERM; lines %q", code, lines)
	}
}

// TestTicksDoNotDrift checks the tick/N! series and that ticks stay on the
// grid start + k*period: the lateness of each tick past its grid slot does
// not grow over the run. A loop that sleeps one period after each tick would
// be late by the sum of every tick's overhead. (When the process is stalled
// past a whole period the loop skips to the next slot, so lateness is taken
// modulo the period.)
func TestTicksDoNotDrift(t *testing.T) {
	c := startChild(t, "ticks")
	lines, code := c.wait(60 * time.Second)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	const period = 20_000 // microseconds, as in the scenario
	var lateness []int64
	var tick10 []string
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) == 3 && f[0] == "tick":
			at, _ := strconv.ParseInt(f[2], 10, 64)
			lateness = append(lateness, at%period)
		case strings.HasPrefix(l, "tick/10 after"):
			tick10 = append(tick10, f[2])
		}
	}
	if len(lateness) != 100 {
		t.Fatalf("%d ticks, want 100", len(lateness))
	}
	wantTick10 := []string{"10", "20", "30", "40", "50", "60", "70", "80", "90", "100"}
	if !reflect.DeepEqual(tick10, wantTick10) {
		t.Fatalf("tick/10 after ticks %v, want %v", tick10, wantTick10)
	}
	// The median lateness of the last ten ticks is within a quarter period
	// of the first ten's: no accumulated drift.
	first, last := median(lateness[:10]), median(lateness[90:])
	t.Logf("median lateness past the grid: first ten %d µs, last ten %d µs", first, last)
	if last-first > period/4 {
		t.Fatalf("ticks drifted: lateness grew from %d µs to %d µs", first, last)
	}
}

func median(xs []int64) int64 {
	s := append([]int64(nil), xs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

// index returns the position of want in lines, or -1.
func index(lines []string, want string) int {
	for i, l := range lines {
		if l == want {
			return i
		}
	}
	return -1
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestRestartReexecutesTheSameBinary(t *testing.T) {
	c := startChild(t, "restart")
	lines, code := c.wait(30 * time.Second)
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d, lines %q; stderr:\n%s", code, lines, c.stderr)
	}
	first, second := strings.Fields(lines[0]), strings.Fields(lines[1])
	if first[0] != "first" || second[0] != "second" || first[2] != second[2] {
		t.Fatalf("want the same pid re-executed, got %q", lines)
	}
	if args := strings.Join(second[3:], " "); args != "-test.run=^$" {
		t.Fatalf("restart changed the arguments: %q", args)
	}
}
