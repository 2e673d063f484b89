package examples_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/internal/restarttest"
	"github.com/asabgo/asab/internal/syncbuf"
)

// activate runs examples/webserver under systemd-socket-activate, which
// listens on 127.0.0.1:port and passes the socket as LISTEN_FDS with the
// name fdname; listen is the [web] listen line. It starts the program at
// the first connection.
func activate(t *testing.T, port int, fdname, listen string) (*exec.Cmd, *syncbuf.Buffer) {
	t.Helper()
	activator, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Skip("systemd-socket-activate is not installed (Debian's systemd package)")
	}
	bin := build(t, "webserver")
	conf := filepath.Join(t.TempDir(), "webserver.conf")
	text := fmt.Sprintf("[web]\nlisten=%s\naccess_log=false\n[logging]\nlevel=NOTICE\n", listen)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(activator, "-l", fmt.Sprintf("127.0.0.1:%d", port), "--fdname="+fdname, bin, "-c", conf)
	errb := &syncbuf.Buffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // the test waits for it
	return cmd, errb
}

// TestSocketActivation serves examples/webserver on a socket systemd
// passed ([web] listen = systemd:web): the app binds nothing itself, the
// socket is listening before the app starts, and a restart (SIGUSR2) hands
// the same socket to the new image.
func TestSocketActivation(t *testing.T) {
	port := freePort(t)
	cmd, errb := activate(t, port, "web", "systemd:web")
	health := fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port)
	if _, err := restarttest.WaitNewImage(health, time.Time{}, 20*time.Second); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, errb.String())
	}
	get := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/hello", port))
		if err != nil {
			t.Fatalf("GET /hello: %v; stderr:\n%s", err, errb.String())
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(); got != "Hello!" {
		t.Fatalf("GET /hello = %q", got)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	if _, err := restarttest.WaitNewImage(health, sent, 20*time.Second); err != nil {
		t.Fatalf("after SIGUSR2: %v; stderr:\n%s", err, errb.String())
	}
	if got := get(); got != "Hello!" {
		t.Fatalf("GET /hello after the restart = %q", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr:\n%s", err, errb.String())
	}
	// After the stop the socket is closed: nothing accepts any more.
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/hello", port)); err == nil {
		resp.Body.Close()
		t.Fatal("the activated socket still accepts after the exit")
	}
}

// TestSocketActivationErrors: a name systemd did not pass, and a systemd
// line without socket activation, stop start-up with exit code 1 and an
// error naming the section, the line and what was passed.
func TestSocketActivationErrors(t *testing.T) {
	port := freePort(t)
	cmd, errb := activate(t, port, "web", "systemd:admin")
	// systemd-socket-activate starts the program at the first connection.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			break
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit within 20 s; stderr:\n%s", errb.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want code 1; stderr:\n%s", err, errb.String())
	}
	for _, want := range []string{`listen line 1 \"systemd:admin\"`, `no socket named \"admin\"`, `unclaimed: \"web\"`} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr has no %q:\n%s", want, errb.String())
		}
	}

	bin := build(t, "webserver")
	conf := filepath.Join(t.TempDir(), "webserver.conf")
	if err := os.WriteFile(conf, []byte("[web]\nlisten=systemd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, 20*time.Second, bin, nil, "-c", conf)
	if code != 1 || !strings.Contains(stderr, `listen line 1 \"systemd\"`) || !strings.Contains(stderr, "systemd passed no sockets") {
		t.Fatalf("exit %d, stderr %q; want 1 and an error naming the line", code, stderr)
	}
	if strings.Contains(stderr, "goroutine ") {
		t.Fatalf("stack trace in stderr:\n%s", stderr)
	}
}

// TestSockSocketActivation runs examples/echoserver under
// systemd-socket-activate with its listen lines replaced by systemd:echo:
// the socket server echoes on the socket systemd passed, keeps it across a
// SIGUSR2 restart (clients that connect one after another while the old
// image stops and the new one starts are all answered, none refused or cut
// off), and the socket is gone once the program exits.
func TestSockSocketActivation(t *testing.T) {
	activator, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Skip("systemd-socket-activate is not installed (Debian's systemd package)")
	}
	bin := build(t, "echoserver")
	port := freePort(t)
	conf := movedConf(t, "echoserver/echoserver.conf", "listen=\n\t127.0.0.1 7000\n\t/tmp/echoserver.sock\n", "listen=systemd:echo\n")
	cmd := exec.Command(activator, "-l", fmt.Sprintf("127.0.0.1:%d", port), "--fdname=echo", bin, "-c", conf)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errb := &syncbuf.Buffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // the test waits for it
	listening := make(chan string, 4)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			listening <- lines.Text()
		}
		close(listening)
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	echo := func(line string) error {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprintf(c, "%s\n", line); err != nil {
			return err
		}
		got, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || got != line+"\n" {
			return fmt.Errorf("sent %q, got %q, %v", line, got, err)
		}
		return nil
	}
	waitListening := func() {
		t.Helper()
		select {
		case l, ok := <-listening:
			if want := "listening on tcp " + addr; !ok || l != want {
				t.Fatalf("stdout %q (open %v), want %q; stderr:\n%s", l, ok, want, errb.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no listening line within 20 s; stderr:\n%s", errb.String())
		}
	}
	// The first connection makes systemd-socket-activate start the
	// program; until the activator listens, connections are refused.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := echo("first")
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.ECONNREFUSED) || time.Now().After(deadline) {
			t.Fatalf("%v; stderr:\n%s", err, errb.String())
		}
	}
	waitListening()
	if err := cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for deadline := time.Now().Add(20 * time.Second); len(listening) == 0; n++ {
		if time.Now().After(deadline) {
			t.Fatalf("no listening line of a new image within 20 s; stderr:\n%s", errb.String())
		}
		if err := echo(fmt.Sprintf("line %d", n)); err != nil {
			t.Fatalf("connection %d around the restart: %v; stderr:\n%s", n, err, errb.String())
		}
	}
	waitListening()
	if err := echo("last"); err != nil {
		t.Fatalf("after the restart: %v; stderr:\n%s", err, errb.String())
	}
	t.Logf("%d connections answered from SIGUSR2 to the new image's listening line", n)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr:\n%s", err, errb.String())
	}
	if err := echo("after"); err == nil {
		t.Fatal("the activated socket still answers after the exit")
	}
}

// TestSocketActivationLineAddedBeforeRestart: systemd-socket-activate
// passes two sockets, "web" and "admin"; the configuration uses only
// systemd:web, is then edited to use systemd:admin too, and the program
// restarts on SIGUSR2. The new image gets the socket it did not use
// before: the image before hands on every socket systemd passed, not only
// those it claimed. Before, the unclaimed one was closed at the exec
// (close-on-exec) and the new image failed with exit code 1 ("systemd
// passed no sockets").
func TestSocketActivationLineAddedBeforeRestart(t *testing.T) {
	activator, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Skip("systemd-socket-activate is not installed (Debian's systemd package)")
	}
	web, admin := freePort(t), freePort(t)
	bin := build(t, "webserver")
	conf := filepath.Join(t.TempDir(), "webserver.conf")
	write := func(listen string) {
		text := fmt.Sprintf("[web]\nlisten=%s\naccess_log=false\n[logging]\nlevel=NOTICE\n", listen)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("systemd:web")
	cmd := exec.Command(activator, "-l", fmt.Sprintf("127.0.0.1:%d", web), "-l", fmt.Sprintf("127.0.0.1:%d", admin),
		"--fdname=web:admin", bin, "-c", conf)
	errb := &syncbuf.Buffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	health := func(port int) string { return fmt.Sprintf("http://127.0.0.1:%d/asab/v1/health", port) }
	if _, err := restarttest.WaitNewImage(health(web), time.Time{}, 20*time.Second); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, errb.String())
	}
	write("\n\tsystemd:web\n\tsystemd:admin")
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	if _, err := restarttest.WaitNewImage(health(admin), sent, 20*time.Second); err != nil {
		t.Fatalf("the admin socket after the restart: %v; stderr:\n%s", err, errb.String())
	}
	if _, err := restarttest.WaitNewImage(health(web), sent, 20*time.Second); err != nil {
		t.Fatalf("the web socket after the restart: %v; stderr:\n%s", err, errb.String())
	}
}
