package app

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/internal/restarttest"
)

// systemdTestDir makes a directory the units of a test may use: not under
// /tmp (PrivateTmp=) or /root (ProtectHome=).
func systemdTestDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/lib", "asab-systemd-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitNewImage is restarttest.WaitNewImage within 20 s, failing the test
// at the end of it.
func waitNewImage(t *testing.T, url string, since time.Time) time.Time {
	t.Helper()
	at, err := restarttest.WaitNewImage(url, since, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// notifications returns, in order, the sd_notify messages the manager's
// debug log shows it got from pid.
func notifications(log string, pid int) []string {
	re := regexp.MustCompile(`Got notification message from PID ` + strconv.Itoa(pid) + ` \(([^)]*)\)`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestSystemdSocketActivatedRestart runs examples/webserver as
// contrib/systemd's asab-app.service (Type=notify, hardened as far as the
// machine allows) beside asab-app.socket in a real systemd user manager:
// the service starts at the first connection to the socket ([web] listen =
// systemd:web); "systemctl kill -s SIGUSR2" restarts it in place under 16
// keep-alive connections that never retry: same MainPID, NRestarts=0,
// RELOADING=1 then READY=1 from that pid, and not one error.
func TestSystemdSocketActivatedRestart(t *testing.T) {
	t.Parallel()
	needUserManager(t)
	dir := systemdTestDir(t)
	bin := filepath.Join(dir, "webserver")
	if out, err := exec.Command("go", "build", "-o", bin, "../examples/webserver").CombinedOutput(); err != nil {
		t.Fatalf("build examples/webserver: %v\n%s", err, out)
	}
	conf := filepath.Join(dir, "web.conf")
	if err := os.WriteFile(conf, []byte("[web]\nlisten = systemd:web\naccess_log = false\n[logging]\nlevel = NOTICE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	contrib, err := os.ReadFile("../contrib/systemd/asab-app.socket")
	if err != nil {
		t.Fatal(err)
	}
	socket := regexp.MustCompile(`(?m)^ListenStream=.*$`).ReplaceAllString(string(contrib), "ListenStream="+addr)
	if !strings.Contains(socket, "ListenStream="+addr+"\n") || !strings.Contains(socket, "FileDescriptorName=web\n") {
		t.Fatalf("contrib/systemd/asab-app.socket has no ListenStream= or no FileDescriptorName=web:\n%s", contrib)
	}
	appLog := filepath.Join(dir, "web.log")
	m := startUserManager(t, nil)
	service := m.contribService(fmt.Sprintf("ExecStart=%s -c %s", bin, conf), 10*time.Second, dir,
		"StandardOutput=append:"+appLog, "StandardError=append:"+appLog)
	m.writeUnit("asab-app.socket", socket, "asab-app.service", service)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(appLog)
			t.Logf("application log:\n%s", b)
		}
	})
	if out, err := m.systemctl("start", "asab-app.socket"); err != nil {
		t.Fatalf("systemctl start asab-app.socket: %v\n%s", err, out)
	}
	props := []string{"ActiveState", "SubState", "MainPID", "NRestarts", "Result", "TriggeredBy"}
	if st := m.show("asab-app.service", props...); st["ActiveState"] != "inactive" || !strings.Contains(st["TriggeredBy"], "asab-app.socket") {
		t.Fatalf("before the first connection: %v, want inactive and triggered by asab-app.socket", st)
	}

	// The first connection starts the service; it waits in the backlog.
	health := "http://" + addr + "/asab/v1/health"
	waitNewImage(t, health, time.Time{})
	before := m.show("asab-app.service", props...)
	pid, _ := strconv.Atoi(before["MainPID"])
	if before["ActiveState"] != "active" || before["SubState"] != "running" || pid == 0 {
		t.Fatalf("after the first connection: %v", before)
	}

	load := restarttest.StartLoad(addr, "/hello", 16)
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	if out, err := m.systemctl("kill", "-s", "SIGUSR2", "asab-app.service"); err != nil {
		load.Stop()
		t.Fatalf("systemctl kill -s SIGUSR2: %v\n%s", err, out)
	}
	answered := waitNewImage(t, health, sent)
	time.Sleep(500 * time.Millisecond)
	res := load.Stop()
	t.Logf("restart: first answer of the new image %s after SIGUSR2; %d answers 2xx, %d non-2xx, %d socket errors", answered.Sub(sent).Round(time.Millisecond), res.OK, res.Non2xx, res.SocketErrors)
	if res.SocketErrors != 0 || res.Non2xx != 0 || res.OK == 0 {
		t.Errorf("%d socket errors (first: %v), %d non-2xx, %d answers across the restart; want no error", res.SocketErrors, res.FirstError, res.Non2xx, res.OK)
	}
	after := m.show("asab-app.service", props...)
	if after["ActiveState"] != "active" || after["SubState"] != "running" || after["MainPID"] != before["MainPID"] || after["NRestarts"] != "0" {
		t.Errorf("after the restart: %v; want active/running, MainPID %d, NRestarts 0", after, pid)
	}
	// The manager saw the restart as a reload announced by the main
	// process and ended by its READY=1.
	msgs := notifications(m.log(), pid)
	reloading, readyAfter := -1, -1
	for i, msg := range msgs {
		if reloading < 0 && strings.Contains(msg, "RELOADING=1") {
			reloading = i
		}
		if reloading >= 0 && i > reloading && strings.Contains(msg, "READY=1") {
			readyAfter = i
			break
		}
	}
	if reloading >= 0 && readyAfter >= 0 {
		t.Logf("from PID %d: %q, then %q", pid, msgs[reloading], msgs[readyAfter])
	}
	if reloading < 0 || readyAfter < 0 {
		t.Errorf("the manager got no RELOADING=1 followed by READY=1 from PID %d; it got %q", pid, msgs)
	}
	for _, change := range []string{"asab-app.service: Changed running -> reload", "asab-app.service: Changed reload -> running"} {
		if !strings.Contains(m.log(), change) {
			t.Errorf("the manager did not log %q", change)
		}
	}
	if out, err := m.systemctl("stop", "asab-app.service", "asab-app.socket"); err != nil {
		t.Fatalf("systemctl stop: %v\n%s", err, out)
	}
	if end := m.show("asab-app.service", props...); end["ActiveState"] != "inactive" || end["Result"] != "success" {
		t.Fatalf("after stop: %v", end)
	}
}

// TestSystemdWatchdogRestartsUnitNotLive runs the liveness scenario as a
// Type=notify unit with WatchdogSec=1 in a real systemd user manager: while
// live it pings and keeps running past WatchdogSec; once it reports itself
// not live (SetLiveness) its pings stop, and systemd kills it for the
// watchdog and starts it anew (a new MainPID, NRestarts 1 or more), which,
// live again, keeps running.
func TestSystemdWatchdogRestartsUnitNotLive(t *testing.T) {
	t.Parallel()
	needUserManager(t)
	dir := systemdTestDir(t)
	broken := filepath.Join(dir, "broken")
	appLog := filepath.Join(dir, "app.log")
	unit := fmt.Sprintf("[Service]\nType=notify\nNotifyAccess=main\nExecStart=%s -test.run=^$\n"+
		"Environment=%s=liveness ASAB_TEST_BROKEN=%s\nWatchdogSec=1\nRestart=on-failure\nRestartSec=100ms\n"+
		"StandardOutput=append:%s\nStandardError=append:%s\n", os.Args[0], childEnv, broken, appLog, appLog)
	m := startUserManager(t, map[string]string{"live.service": unit})
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(appLog)
			t.Logf("application log:\n%s", b)
		}
	})
	if out, err := m.systemctl("start", "live.service"); err != nil {
		t.Fatalf("systemctl start: %v\n%s", err, out)
	}
	props := []string{"ActiveState", "SubState", "MainPID", "NRestarts", "Result", "WatchdogUSec"}
	first := m.show("live.service", props...)
	if first["ActiveState"] != "active" || first["MainPID"] == "0" || first["WatchdogUSec"] != "1s" {
		t.Fatalf("after start: %v", first)
	}
	// Live: the pings keep it running well past WatchdogSec.
	time.Sleep(2500 * time.Millisecond)
	if st := m.show("live.service", props...); st["MainPID"] != first["MainPID"] || st["NRestarts"] != "0" || st["ActiveState"] != "active" {
		t.Fatalf("while live, %s past WatchdogSec=1: %v, want MainPID %s and NRestarts 0", 2500*time.Millisecond, st, first["MainPID"])
	}
	if err := os.WriteFile(broken, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	notLive := time.Now()
	var again map[string]string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		again = m.show("live.service", props...)
		if n, _ := strconv.Atoi(again["NRestarts"]); n >= 1 && again["MainPID"] != "0" && again["MainPID"] != first["MainPID"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after the program reported itself not live: %v, want a restart by the watchdog", again)
		}
	}
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	t.Logf("restarted by systemd %s after liveness failed: %v", time.Since(notLive).Round(time.Millisecond), again)
	log := m.log()
	for _, want := range []string{"live.service: Watchdog timeout (limit 1s)!", "live.service: Failed with result 'watchdog'."} {
		if !strings.Contains(log, want) {
			t.Errorf("the manager did not log %q", want)
		}
	}
	if b, _ := os.ReadFile(appLog); !strings.Contains(string(b), "Liveness failed; the systemd watchdog pings stop") {
		t.Errorf("the program did not log that its pings stop:\n%s", b)
	}
	// Live again, the new process keeps running past WatchdogSec.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		cur := m.show("live.service", props...)
		if cur["ActiveState"] == "active" && cur["SubState"] == "running" {
			again = cur
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not running again after the watchdog restart: %v", cur)
		}
	}
	time.Sleep(2500 * time.Millisecond)
	if st := m.show("live.service", props...); st["MainPID"] != again["MainPID"] || st["NRestarts"] != again["NRestarts"] {
		t.Fatalf("the restarted process, live again, was restarted too: %v, then %v", again, st)
	}
	if out, err := m.systemctl("stop", "live.service"); err != nil {
		t.Fatalf("systemctl stop: %v\n%s", err, out)
	}
}

// TestSystemdWatchdogDuringALongRestart: a restart whose old image takes
// 2.5 s to stop (its Finalize), under Type=notify with WatchdogSec=1, keeps
// the unit: systemd enforces the watchdog in the reloading state too, so
// the stopping image goes on pinging until the exec. Before, the pings
// ended with the tick loop and systemd killed the process for the watchdog
// in the middle of the restart.
func TestSystemdWatchdogDuringALongRestart(t *testing.T) {
	t.Parallel()
	needUserManager(t)
	dir := systemdTestDir(t)
	appLog := filepath.Join(dir, "app.log")
	unit := fmt.Sprintf("[Service]\nType=notify\nNotifyAccess=main\nExecStart=%s -test.run=^$\n"+
		"Environment=%s=slow-restart %s=2500ms\nWatchdogSec=1\nRestart=on-failure\nRestartSec=100ms\n"+
		"StandardOutput=append:%s\nStandardError=append:%s\n", os.Args[0], childEnv, restartFinalizeEnv, appLog, appLog)
	m := startUserManager(t, map[string]string{"slow.service": unit})
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(appLog)
			t.Logf("application log:\n%s", b)
		}
	})
	if out, err := m.systemctl("start", "slow.service"); err != nil {
		t.Fatalf("systemctl start: %v\n%s", err, out)
	}
	props := []string{"ActiveState", "SubState", "MainPID", "NRestarts", "Result"}
	first := m.show("slow.service", props...)
	if first["ActiveState"] != "active" || first["MainPID"] == "0" {
		t.Fatalf("after start: %v", first)
	}
	if out, err := m.systemctl("kill", "-s", "SIGUSR2", "slow.service"); err != nil {
		t.Fatalf("systemctl kill -s SIGUSR2: %v\n%s", err, out)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(appLog)
		if strings.Contains(string(b), "run 2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second image within 15 s: %v\n%s", m.show("slow.service", props...), m.log())
		}
	}
	time.Sleep(1500 * time.Millisecond) // past WatchdogSec in the new image too
	st := m.show("slow.service", props...)
	if st["MainPID"] != first["MainPID"] || st["NRestarts"] != "0" || st["ActiveState"] != "active" {
		t.Fatalf("after a 2.5 s restart under WatchdogSec=1: %v, want MainPID %s, NRestarts 0, active\n%s", st, first["MainPID"], m.log())
	}
	if log := m.log(); strings.Contains(log, "Watchdog timeout") {
		t.Fatalf("the manager's watchdog fired during the restart:\n%s", log)
	}
	if out, err := m.systemctl("stop", "slow.service"); err != nil {
		t.Fatalf("systemctl stop: %v\n%s", err, out)
	}
}

// TestSystemdRestartWhoseNewImageFails: under Type=notify, a restart whose
// new image fails to start (here its Initialize; a configuration edited
// into an error does the same) ends the process with exit code 1 after
// RELOADING=1: systemd records the failure and, with Restart=on-failure,
// starts the unit anew under a new MainPID, as docs/operations.md says.
func TestSystemdRestartWhoseNewImageFails(t *testing.T) {
	t.Parallel()
	needUserManager(t)
	dir := systemdTestDir(t)
	appLog := filepath.Join(dir, "app.log")
	unit := fmt.Sprintf("[Service]\nType=notify\nNotifyAccess=main\nExecStart=%s -test.run=^$\n"+
		"Environment=%s=slow-restart %s=2\nRestart=on-failure\nRestartSec=100ms\n"+
		"StandardOutput=append:%s\nStandardError=append:%s\n", os.Args[0], childEnv, restartFailEnv, appLog, appLog)
	m := startUserManager(t, map[string]string{"fail.service": unit})
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(appLog)
			t.Logf("application log:\n%s", b)
		}
	})
	if out, err := m.systemctl("start", "fail.service"); err != nil {
		t.Fatalf("systemctl start: %v\n%s", err, out)
	}
	props := []string{"ActiveState", "SubState", "MainPID", "NRestarts", "Result"}
	first := m.show("fail.service", props...)
	if out, err := m.systemctl("kill", "-s", "SIGUSR2", "fail.service"); err != nil {
		t.Fatalf("systemctl kill -s SIGUSR2: %v\n%s", err, out)
	}
	var st map[string]string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st = m.show("fail.service", props...)
		if st["NRestarts"] == "1" && st["ActiveState"] == "active" && st["SubState"] == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after SIGUSR2: %v, want a new start by systemd\n%s", st, m.log())
		}
	}
	if st["MainPID"] == first["MainPID"] {
		t.Fatalf("same MainPID %s after the failed restart: %v", st["MainPID"], st)
	}
	if log := m.log(); !strings.Contains(log, "fail.service: Main process exited, code=exited, status=1/FAILURE") {
		t.Fatalf("the manager did not see exit code 1:\n%s", log)
	}
	if b, _ := os.ReadFile(appLog); !strings.Contains(string(b), "image 2 fails to start") {
		t.Fatalf("the new image's error is not in the log:\n%s", b)
	}
	if out, err := m.systemctl("stop", "fail.service"); err != nil {
		t.Fatalf("systemctl stop: %v\n%s", err, out)
	}
}
