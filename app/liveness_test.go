package app

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// livenessScenario reports itself not live while the file named by
// ASAB_TEST_BROKEN exists.
func livenessScenario() int {
	a := New(WithName("liveness"), WithArgs(), WithConfigString("[general]\ntick_period = 0.02\n"))
	broken := os.Getenv("ASAB_TEST_BROKEN")
	a.SetLiveness(func() bool {
		_, err := os.Stat(broken)
		return err != nil
	})
	return a.Run()
}

func init() { scenarios["liveness"] = livenessScenario }

// countWatchdog counts the WATCHDOG=1 messages that arrive within d.
func (n *notifyListener) countWatchdog(d time.Duration) int {
	buf := make([]byte, 4096)
	count := 0
	deadline := time.Now().Add(d)
	for {
		_ = n.conn.SetReadDeadline(deadline)
		k, err := n.conn.Read(buf)
		if err != nil {
			return count
		}
		if strings.Contains(string(buf[:k]), "WATCHDOG=1") {
			count++
		}
	}
}

// TestWatchdogPingsOnlyWhileLive: with WATCHDOG_USEC set, WATCHDOG=1 goes
// to the notify socket at every tick while the liveness function holds,
// stops while it fails (systemd would restart the unit after WatchdogSec=),
// and resumes when it holds again.
func TestWatchdogPingsOnlyWhileLive(t *testing.T) {
	dir := t.TempDir()
	fake, sock := listenNotify(t, dir)
	broken := filepath.Join(dir, "broken")
	c := startChild(t, "liveness", "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=2000000", "ASAB_TEST_BROKEN="+broken)
	fake.waitFor("READY=1")
	fake.waitFor("WATCHDOG=1")
	if err := os.WriteFile(broken, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // ticks already queued may still ping
	if n := fake.countWatchdog(500 * time.Millisecond); n != 0 {
		t.Fatalf("%d WATCHDOG=1 in 0.5 s while not live", n)
	}
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	fake.waitFor("WATCHDOG=1")
	c.signal(syscall.SIGTERM)
	if _, code := c.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, c.stderr)
	}
	if log := c.stderr.String(); !strings.Contains(log, "Liveness failed") || !strings.Contains(log, "pings resume") {
		t.Fatalf("no lines about the pings stopping and resuming:\n%s", log)
	}
}
