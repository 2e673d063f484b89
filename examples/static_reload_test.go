package examples_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/internal/syncbuf"
)

// started is an example running with its stderr (the log) collected.
type started struct {
	t   *testing.T
	cmd *exec.Cmd
	log *syncbuf.Buffer
}

// startExample runs bin with args, its stderr collected, killed at the end
// of the test if it still runs.
func startExample(t *testing.T, bin string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(bin, args...)
	s := &started{t: t, cmd: cmd, log: &syncbuf.Buffer{}}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return s
}

// waitLine waits up to 20 s for a log line that holds every one of parts.
func (s *started) waitLine(parts ...string) string {
	s.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		sc := bufio.NewScanner(strings.NewReader(s.log.String()))
		for sc.Scan() {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(sc.Text(), p)
			}
			if all {
				return sc.Text()
			}
		}
	}
	s.t.Fatalf("no log line with %q within 20 s; log:\n%s", parts, s.log.String())
	return ""
}

// stop sends SIGTERM and wants exit code 0.
func (s *started) stop() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		s.t.Fatalf("exit: %v; log:\n%s", err, s.log.String())
	}
}

// rewrite replaces old with new in the file at path.
func rewrite(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSocketListenIsStaticAtReload: a changed listen (and max_connections)
// of a socket server's section at a SIGHUP is a WARNING naming the section
// and the key, as a web container's listen is, and the server keeps its
// address; before, the reload said "Configuration reloaded" and nothing
// else.
func TestSocketListenIsStaticAtReload(t *testing.T) {
	bin := build(t, "echoserver")
	port, moved := freePort(t), freePort(t)
	sock := filepath.Join(t.TempDir(), "echo.sock")
	conf := movedConf(t, "echoserver/echoserver.conf",
		"127.0.0.1 7000", fmt.Sprintf("127.0.0.1 %d", port), "/tmp/echoserver.sock", sock)
	s := startExample(t, bin, "-c", conf)
	s.waitLine("is ready.")
	rewrite(t, conf, fmt.Sprintf("127.0.0.1 %d", port), fmt.Sprintf("127.0.0.1 %d", moved))
	rewrite(t, conf, "max_connections=1024", "max_connections=10")
	_ = s.cmd.Process.Signal(syscall.SIGHUP)
	for _, key := range []string{"listen", "max_connections"} {
		line := s.waitLine("WARNING", `section="echoserver"`, `key="`+key+`"`)
		if !strings.Contains(line, "cannot change at run time") {
			t.Errorf("the warning for %s: %s", key, line)
		}
	}
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("the old address no longer answers: %v", err)
	}
	fmt.Fprintln(c, "still here")
	got, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if err != nil || got != "still here\n" {
		t.Fatalf("echo on the old address: %q, %v", got, err)
	}
	s.stop()
}

// TestDebugAndHealthKeysAreStaticAtReload: examples/operations with its
// [debug] listen and [asab:health] interval changed at a SIGHUP warns about
// each, naming section and key, and keeps the debug listener on its
// address.
func TestDebugAndHealthKeysAreStaticAtReload(t *testing.T) {
	bin := build(t, "operations")
	web, dbg, moved := freePort(t), freePort(t), freePort(t)
	conf := movedConf(t, "operations/operations.conf",
		"127.0.0.1 8081", fmt.Sprintf("127.0.0.1 %d", web), "127.0.0.1 6061", fmt.Sprintf("127.0.0.1 %d", dbg))
	s := startExample(t, bin, "-c", conf)
	s.waitLine("is ready.")
	rewrite(t, conf, fmt.Sprintf("127.0.0.1 %d", dbg), fmt.Sprintf("127.0.0.1 %d", moved))
	rewrite(t, conf, "interval = 0.2s", "interval = 5s")
	_ = s.cmd.Process.Signal(syscall.SIGHUP)
	s.waitLine("WARNING", `section="debug"`, `key="listen"`, "cannot change at run time")
	s.waitLine("WARNING", `section="asab:health"`, `key="interval"`, "cannot change at run time")
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/goroutines", dbg))
	if err != nil {
		t.Fatalf("the debug listener moved or closed: %v", err)
	}
	resp.Body.Close()
	s.stop()
}

// TestTracingKeysAreStaticAtReload: a [tracing] key added at a SIGHUP
// (examples/webserver, exporter) is a WARNING naming section and key: the
// exporter is built once.
func TestTracingKeysAreStaticAtReload(t *testing.T) {
	conf := movedConf(t, "webserver/webserver.conf", "0.0.0.0 8080", fmt.Sprintf("127.0.0.1 %d", freePort(t)))
	w := startExample(t, build(t, "webserver"), "-c", conf)
	w.waitLine("is ready.")
	rewrite(t, conf, "[logging]", "[tracing]\nexporter = otlp-http\n\n[logging]")
	_ = w.cmd.Process.Signal(syscall.SIGHUP)
	w.waitLine("WARNING", `section="tracing"`, `key="exporter"`, "cannot change at run time")
	w.stop()
}
