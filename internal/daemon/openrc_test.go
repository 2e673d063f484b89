package daemon

import (
	"bufio"
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
)

// openrcBox runs contrib/openrc's scripts with Debian's openrc-run inside a
// private mount namespace (unshare -m, propagation private) with tmpfs on
// /run and /var/log and the state directories openrc creates at boot, so
// nothing of the host's /run or /var/log is touched. A holder process keeps
// the namespace; each command enters it with nsenter.
type openrcBox struct {
	t      *testing.T
	dir    string // scripts in dir/init.d, their settings in dir/conf.d
	bin    string // app/testdata/daemonapp
	holder *exec.Cmd
}

func newOpenrcBox(t *testing.T) *openrcBox {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("openrc-run needs root (it mounts and changes users)")
	}
	for _, tool := range []string{"openrc-run", "unshare", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian: apt-get install --no-install-recommends openrc; unshare/nsenter are util-linux)", tool)
		}
	}
	b := &openrcBox{t: t, dir: t.TempDir()}
	b.bin = filepath.Join(b.dir, "daemonapp")
	if out, err := exec.Command("go", "build", "-o", b.bin, "../../app/testdata/daemonapp").CombinedOutput(); err != nil {
		t.Fatalf("build the test program: %v\n%s", err, out)
	}
	for _, d := range []string{"init.d", "conf.d"} {
		if err := os.Mkdir(filepath.Join(b.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const setup = `set -e
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log
mkdir -p /run/openrc && cd /run/openrc
mkdir started starting stopping inactive wasinactive failed exclusive scheduled options daemons hotplugged tmp
touch softlevel
echo ready
exec sleep 600`
	b.holder = exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", setup)
	b.holder.Stderr = os.Stderr
	stdout, err := b.holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = b.holder.Process.Kill()
		_ = b.holder.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("setting up the mount namespace: %q, %v", line, err)
	}
	return b
}

// install copies contrib/openrc/<script> to init.d/<svc> and writes
// conf.d/<svc> with conf.
func (b *openrcBox) install(script, svc, conf string) string {
	b.t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "contrib", "openrc", script))
	if err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(b.dir, "init.d", svc)
	if err := os.WriteFile(path, text, 0o755); err != nil {
		b.t.Fatal(err)
	}
	// openrc-run puts the service in a cgroup of its name (cgroup2), which
	// lives on the host: remove it, empty, after the test's own cleanups.
	b.t.Cleanup(func() {
		for _, root := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
			_ = os.Remove(filepath.Join(root, svc))
		}
	})
	if err := os.WriteFile(filepath.Join(b.dir, "conf.d", svc), []byte(conf), 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// rc runs "<script> --nodeps <command>" in the namespace (net, which the
// scripts need, is not a service here) and returns its exit code and
// output.
func (b *openrcBox) rc(script, command string) (int, string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", "-t", strconv.Itoa(b.holder.Process.Pid), "-m", "--", script, "--nodeps", command)
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		b.t.Fatalf("%s %s: %v", script, command, err)
	}
	b.t.Logf("%s %s: exit %d\n%s", filepath.Base(script), command, cmd.ProcessState.ExitCode(), out)
	return cmd.ProcessState.ExitCode(), string(out)
}

func (b *openrcBox) mustRC(script, command, want string) {
	b.t.Helper()
	if code, out := b.rc(script, command); code != 0 || !strings.Contains(out, want) {
		b.t.Fatalf("%s %s: exit %d, want 0 and %q:\n%s", filepath.Base(script), command, code, want, out)
	}
}

// inside names a path of the namespace's private /run or /var/log.
func (b *openrcBox) inside(path string) string {
	return fmt.Sprintf("/proc/%d/root%s", b.holder.Process.Pid, path)
}

// waitLine waits for the line "<what> <pid>" in the -starts file and
// returns the pid; not is a pid it must not be (0: any).
func (b *openrcBox) waitLine(starts, what string, n, not int) int {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		text, _ := os.ReadFile(starts)
		var pids []int
		for _, l := range strings.Split(string(text), "\n") {
			if w, p, ok := strings.Cut(l, " "); ok && w == what {
				pid, _ := strconv.Atoi(p)
				pids = append(pids, pid)
			}
		}
		if len(pids) >= n && pids[n-1] != not {
			return pids[n-1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	text, _ := os.ReadFile(starts)
	b.t.Fatalf("no %d. %q line in %s:\n%s", n, what, starts, text)
	return 0
}

func (b *openrcBox) killLater(pid int) {
	b.t.Cleanup(func() {
		if Alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !Alive(pid) {
			return
		}
	}
	t.Fatalf("pid %d still running", pid)
}

// TestOpenRCSupervised: contrib/openrc/asab-app under supervise-daemon
// starts the application in the foreground, reports status, reloads with
// SIGHUP, respawns it after a SIGKILL, and stops it.
func TestOpenRCSupervised(t *testing.T) {
	b := newOpenrcBox(t)
	starts := filepath.Join(b.dir, "starts")
	appConf := filepath.Join(b.dir, "app.conf")
	if err := os.WriteFile(appConf, []byte("[general]\npidfile=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := b.install("asab-app", "asab-app", fmt.Sprintf(
		"command=%s\ncommand_args=\"-c %s -starts %s\"\ncommand_user=root:root\nstate_dir=%s\nrespawn_delay=1\n",
		b.bin, appConf, starts, filepath.Join(b.dir, "state")))
	t.Cleanup(func() { b.rc(script, "stop") })

	b.mustRC(script, "start", "Starting asab-app")
	first := b.waitLine(starts, "start", 1, 0)
	b.killLater(first)
	b.mustRC(script, "status", "started")
	b.mustRC(script, "reload", "Reloading asab-app")
	if got := b.waitLine(starts, "hup", 1, 0); got != first {
		t.Fatalf("SIGHUP reached pid %d, want %d", got, first)
	}
	// Respawn: supervise-daemon starts a new process after a SIGKILL.
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	second := b.waitLine(starts, "start", 2, first)
	b.killLater(second)
	b.mustRC(script, "status", "started")
	b.mustRC(script, "stop", "Stopping asab-app")
	waitGone(t, second)
	if code, out := b.rc(script, "status"); code != 3 || !strings.Contains(out, "stopped") {
		t.Fatalf("status after stop: exit %d, want 3 (stopped):\n%s", code, out)
	}
	log, err := os.ReadFile(b.inside("/var/log/asab-app/output.log"))
	if err != nil || !strings.Contains(string(log), "is ready") {
		t.Fatalf("output_log: %v\n%s", err, log)
	}
}

// TestOpenRCDaemonize: contrib/openrc/asab-app-daemonize under Debian's
// start-stop-daemon starts the application with -d (which returns once the
// daemon is ready), reports status, reloads with SIGHUP, stops it (the
// pidfile goes), and reports a daemon killed behind its back as crashed.
func TestOpenRCDaemonize(t *testing.T) {
	b := newOpenrcBox(t)
	starts := filepath.Join(b.dir, "starts")
	appConf := filepath.Join(b.dir, "app.conf")
	const pidfile = "/run/asabd/asabd.pid"
	if err := os.WriteFile(appConf, []byte("[daemon]\npidfile="+pidfile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := b.install("asab-app-daemonize", "asabd", fmt.Sprintf(
		"command=%s\ncommand_args=\"-d -c %s -starts %s\"\ndaemon_owner=root:root\n", b.bin, appConf, starts))
	t.Cleanup(func() { b.rc(script, "stop") })

	b.mustRC(script, "start", "Starting asab-app")
	// -d returned after the daemon was ready: its pidfile is written.
	text, err := os.ReadFile(b.inside(pidfile))
	if err != nil {
		t.Fatalf("pidfile after start: %v", err)
	}
	pid, err := ParsePid(text)
	if err != nil || !Alive(pid) {
		t.Fatalf("pidfile %q: %v", text, err)
	}
	b.killLater(pid)
	if got := b.waitLine(starts, "start", 1, 0); got != pid {
		t.Fatalf("the daemon is pid %d, the pidfile says %d", got, pid)
	}
	b.mustRC(script, "status", "started")
	b.mustRC(script, "reload", "Reloading asabd")
	if got := b.waitLine(starts, "hup", 1, 0); got != pid {
		t.Fatalf("SIGHUP reached pid %d, want %d", got, pid)
	}
	b.mustRC(script, "stop", "Stopping asab-app")
	waitGone(t, pid)
	if _, err := os.Stat(b.inside(pidfile)); !os.IsNotExist(err) {
		t.Fatalf("pidfile left after stop: %v", err)
	}
	if code, out := b.rc(script, "status"); code != 3 || !strings.Contains(out, "stopped") {
		t.Fatalf("status after stop: exit %d, want 3 (stopped):\n%s", code, out)
	}

	// Killed behind OpenRC's back: status says crashed.
	b.mustRC(script, "start", "Starting asab-app")
	pid = b.waitLine(starts, "start", 2, pid)
	b.killLater(pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if code, out := b.rc(script, "status"); code == 0 || !strings.Contains(out, "crashed") {
		t.Fatalf("status of a killed daemon: exit %d, want non-zero and crashed:\n%s", code, out)
	}
	b.rc(script, "zap")
}
