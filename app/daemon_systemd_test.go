package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/internal/syncbuf"
)

// userManager is a real systemd (252 on Debian 12) user manager: `systemd
// --user` in a private mount namespace (a tmpfs on /run/systemd holding
// system/, so it believes the machine booted with systemd), in a cgroup of
// its own, with XDG_RUNTIME_DIR and XDG_CONFIG_HOME in a temporary
// directory; systemctl talks to it over its private socket. It logs at
// debug level (each sd_notify message it gets, each state change of a
// unit) to its journal socket, which is the test's (see log).
type userManager struct {
	t       *testing.T
	dir     string
	env     []string
	cmd     *exec.Cmd
	cgroups []string
	journal *net.UnixConn
	logs    syncbuf.Buffer // the MESSAGE= of each journal entry, one a line
	read    chan struct{}
}

func startUserManager(t *testing.T, units map[string]string) *userManager {
	t.Helper()
	needUserManager(t)
	// Not under /tmp: a unit with PrivateTmp= must still reach the notify
	// socket in XDG_RUNTIME_DIR.
	dir := systemdTestDir(t)
	m := &userManager{t: t, dir: dir}
	xdg := filepath.Join(dir, "xdg")
	unitDir := filepath.Join(dir, "config", "systemd", "user")
	for _, d := range []string{xdg, unitDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range units {
		if err := os.WriteFile(filepath.Join(unitDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m.env = append(os.Environ(), "XDG_RUNTIME_DIR="+xdg, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(xdg, "systemd", "private"))
	name := "asab-test-" + filepath.Base(dir) // one cgroup per manager
	var join []string
	for _, root := range []string{"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		if _, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil {
			continue
		}
		cg := filepath.Join(root, name)
		m.cgroups = append(m.cgroups, cg)
		join = append(join, fmt.Sprintf("mkdir -p %s && echo $$ > %s/cgroup.procs", cg, cg))
		if root == "/sys/fs/cgroup/unified" || root == "/sys/fs/cgroup" && len(m.cgroups) > 1 {
			break
		}
	}
	if len(join) == 0 {
		t.Skip("no writable cgroup hierarchy")
	}
	// The manager's journal socket (/run/systemd/journal/socket in its
	// namespace) is the test's: readJournal keeps its lines.
	if err := os.Mkdir(filepath.Join(dir, "journal"), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	m.journal, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "journal", "socket"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	m.read = make(chan struct{})
	go m.readJournal()
	script := "set -e\nmount -t tmpfs tmpfs /run/systemd\nmkdir /run/systemd/system /run/systemd/journal\n" +
		"mount --bind " + filepath.Join(dir, "journal") + " /run/systemd/journal\n" + strings.Join(join, "\n") +
		"\nexec systemd --user --log-level=debug --log-target=journal\n"
	m.cmd = exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	m.cmd.Env = m.env
	out, err := os.Create(filepath.Join(dir, "manager.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	m.cmd.Stdout, m.cmd.Stderr = out, out
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = m.cmd.Wait(); close(exited) }()
	t.Cleanup(func() { m.stop(exited) })
	sock := filepath.Join(xdg, "systemd", "private")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "manager.log"))
			t.Skipf("systemd --user does not run here: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("systemd --user did not open its private socket within 20 s")
		}
	}
	return m
}

// log returns what the manager has logged so far, one message a line.
func (m *userManager) log() string { return m.logs.String() }

// readJournal keeps the MESSAGE= field of each datagram on the journal
// socket (the native protocol: "KEY=value\n", or "KEY\n", a 64-bit
// little-endian length and the value, for a value with a newline), until
// the socket is closed.
func (m *userManager) readJournal() {
	defer close(m.read)
	buf := make([]byte, 1<<16)
	for {
		n, err := m.journal.Read(buf)
		if err != nil {
			return
		}
		for b := buf[:n]; len(b) > 0; {
			i := bytes.IndexAny(b, "=\n")
			if i < 0 {
				break
			}
			key, value := string(b[:i]), []byte(nil)
			if b[i] == '=' {
				end := bytes.IndexByte(b[i:], '\n')
				if end < 0 {
					end = len(b) - i
				}
				value, b = b[i+1:i+end], b[min(i+end+1, len(b)):]
			} else {
				if len(b) < i+9 {
					break
				}
				size := int(binary.LittleEndian.Uint64(b[i+1 : i+9]))
				if size < 0 || len(b) < i+9+size {
					break
				}
				value, b = b[i+9:i+9+size], b[min(i+9+size+1, len(b)):]
			}
			if key == "MESSAGE" {
				_, _ = m.logs.Write(append(bytes.ReplaceAll(value, []byte("\n"), []byte(" ")), '\n'))
			}
		}
	}
}

// needUserManager skips the test where startUserManager cannot work.
func needUserManager(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("a private mount namespace and a cgroup of its own need root")
	}
	for _, tool := range []string{"systemd", "systemctl", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian package: systemd, util-linux)", tool)
		}
	}
}

// stop ends the manager (and its units) and removes its cgroups.
func (m *userManager) stop(exited chan struct{}) {
	_, _ = m.systemctl("exit")
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		<-exited
	}
	for _, cg := range m.cgroups {
		removeCgroup(cg)
	}
	_ = m.journal.Close()
	<-m.read
}

// removeCgroup removes an empty cgroup tree, children first.
func removeCgroup(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			removeCgroup(filepath.Join(dir, e.Name()))
		}
	}
	_ = os.Remove(dir)
}

func (m *userManager) systemctl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "systemctl", append([]string{"--user", "--no-pager"}, args...)...)
	cmd.Env = m.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// show returns the unit's properties.
func (m *userManager) show(unit string, props ...string) map[string]string {
	m.t.Helper()
	out, err := m.systemctl("show", unit, "-p", strings.Join(props, ","))
	if err != nil {
		m.t.Fatalf("systemctl show %s: %v\n%s", unit, err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	return got
}

// writeUnit writes unit files (name, text, ...) and has the manager load
// them.
func (m *userManager) writeUnit(nameText ...string) {
	m.t.Helper()
	for i := 0; i+1 < len(nameText); i += 2 {
		if err := os.WriteFile(filepath.Join(m.dir, "config", "systemd", "user", nameText[i]), []byte(nameText[i+1]), 0o644); err != nil {
			m.t.Fatal(err)
		}
	}
	if out, err := m.systemctl("daemon-reload"); err != nil {
		m.t.Fatalf("daemon-reload: %v\n%s", err, out)
	}
}

// contribService returns contrib/systemd/asab-app.service made to run in
// the test: execStart and TimeoutStopSec replaced, no User=/Group=, dir
// writable, the lines of extra added to [Service]. Every sandboxing line of
// the unit is first tried alone on /bin/true: one this machine cannot
// apply at all (a container may refuse ProtectHome= or
// ProtectKernelTunables= with 226/NAMESPACE) is left out, and named in the
// log.
func (m *userManager) contribService(execStart string, timeoutStop time.Duration, dir string, extra ...string) string {
	m.t.Helper()
	contrib, err := os.ReadFile("../contrib/systemd/asab-app.service")
	if err != nil {
		m.t.Fatal(err)
	}
	var lines, probes, probeUnits []string
	for _, line := range strings.Split(string(contrib), "\n") {
		key, _, _ := strings.Cut(line, "=")
		switch key {
		case "ExecStart":
			line = execStart
		case "TimeoutStopSec":
			line = fmt.Sprintf("TimeoutStopSec=%d", int(timeoutStop/time.Second))
		case "User", "Group":
			continue
		case "[Install]":
			lines = append(lines, "ReadWritePaths="+dir)
			lines = append(append(lines, extra...), "")
		case "NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
			"ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
			"RestrictNamespaces", "PrivateMounts", "ProtectProc", "StateDirectory", "LogsDirectory", "RuntimeDirectory":
			probe := fmt.Sprintf("probe%d.service", len(probes)/2)
			probeUnits = append(probeUnits, probe, "[Service]\nType=oneshot\nExecStart=/bin/true\n"+line+"\n")
			probes = append(probes, probe, line)
		}
		lines = append(lines, line)
	}
	unit := strings.Join(lines, "\n")
	m.writeUnit(probeUnits...)
	for i := 0; i < len(probes); i += 2 {
		if out, err := m.systemctl("start", probes[i]); err != nil {
			m.t.Logf("this machine cannot apply %s even to /bin/true (%v: %s); the hardened run goes without it", probes[i+1], err, strings.TrimSpace(out))
			unit = strings.Replace(unit, "\n"+probes[i+1]+"\n", "\n", 1)
		}
	}
	return unit
}

// TestSystemdRestartKeepsUnitActive runs the test program as a Type=notify
// unit of a real systemd user manager and restarts it (SIGUSR1 calls
// Application.Restart): the unit must stay active under the same MainPID,
// with no restart by systemd, past TimeoutStopSec (a STOPPING=1 would have
// it killed then), and stop cleanly afterwards. It does so with a plain
// unit and with contrib/systemd's hardened unit (ExecStart pointed at the
// program, no User=/Group=, and its directory writable).
func TestSystemdRestartKeepsUnitActive(t *testing.T) {
	t.Parallel()
	needUserManager(t)
	// Not under /tmp (PrivateTmp) or /root (ProtectHome).
	dir, err := os.MkdirTemp("/var/lib", "asab-systemd-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "daemonapp")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/daemonapp").CombinedOutput(); err != nil {
		t.Fatalf("build the test program: %v\n%s", err, out)
	}
	conf := filepath.Join(dir, "app.conf")
	if err := os.WriteFile(conf, []byte("[general]\npidfile=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const timeoutStop = 2 * time.Second
	execStart := func(name string) string {
		return fmt.Sprintf("ExecStart=%s -c %s -starts %s", bin, conf, filepath.Join(dir, name+".starts"))
	}
	plain := fmt.Sprintf("[Service]\nType=notify\nNotifyAccess=main\n%s\nTimeoutStopSec=%d\nRestart=on-failure\nRestartSec=100ms\n",
		execStart("plain"), int(timeoutStop/time.Second))

	m := startUserManager(t, map[string]string{"plain.service": plain})
	m.writeUnit("hardened.service", m.contribService(execStart("hardened"), timeoutStop, dir))
	for _, name := range []string{"plain", "hardened"} {
		t.Run(name, func(t *testing.T) {
			m.t = t
			testRestartUnit(t, m, name, filepath.Join(dir, name+".starts"), timeoutStop)
		})
	}
}

func testRestartUnit(t *testing.T, m *userManager, name, starts string, timeoutStop time.Duration) {
	unit := name + ".service"
	if out, err := m.systemctl("start", unit); err != nil {
		status, _ := m.systemctl("status", unit)
		t.Fatalf("systemctl start: %v\n%s\n%s", err, out, status)
	}
	props := []string{"ActiveState", "SubState", "MainPID", "NRestarts", "Result"}
	before := m.show(unit, props...)
	if before["ActiveState"] != "active" || before["SubState"] != "running" {
		t.Fatalf("after start: %v", before)
	}
	pid, _ := strconv.Atoi(before["MainPID"])
	if pid == 0 {
		t.Fatalf("no MainPID: %v", before)
	}
	// Main has run once (it records its start) before the restart is asked.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if text, _ := os.ReadFile(starts); strings.Contains(string(text), fmt.Sprintf("start %d\n", pid)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the program never recorded its start")
		}
	}
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	// The re-executed image records its start, then sends READY=1.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		text, _ := os.ReadFile(starts)
		if strings.Count(string(text), fmt.Sprintf("start %d\n", pid)) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not restart in place: %q", text)
		}
	}
	// Past TimeoutStopSec: a unit left deactivating would be killed by now.
	time.Sleep(timeoutStop + time.Second)
	after := m.show(unit, props...)
	if after["ActiveState"] != "active" || after["SubState"] != "running" || after["MainPID"] != before["MainPID"] || after["NRestarts"] != "0" {
		status, _ := m.systemctl("status", unit)
		t.Fatalf("after Restart(): %v, want active/running, MainPID %d, NRestarts 0\n%s", after, pid, status)
	}
	if out, err := m.systemctl("stop", unit); err != nil {
		t.Fatalf("systemctl stop: %v\n%s", err, out)
	}
	if end := m.show(unit, props...); end["ActiveState"] != "inactive" || end["Result"] != "success" {
		t.Fatalf("after stop: %v", end)
	}
}
