package examples_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestReload runs examples/reload with a copy of its .conf on a free port,
// edits the copy and sends SIGHUP: a new greeting is applied, an empty one
// is refused with an ERROR and changes nothing, a new listen address is
// ignored with a WARNING (the old port keeps answering), and SIGTERM stops
// it with exit code 0.
func TestReload(t *testing.T) {
	bin := build(t, "reload")
	src, err := os.ReadFile("reload/reload.conf")
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	base := strings.Replace(string(src), "127.0.0.1 8082", fmt.Sprintf("127.0.0.1 %d", port), 1)
	if base == string(src) || !strings.Contains(base, "greeting = Hello\n") {
		t.Fatal("reload.conf no longer has the listen and greeting lines this test edits")
	}
	conf := filepath.Join(t.TempDir(), "reload.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(base)
	cmd := exec.Command(bin, "-c", conf)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	var mu sync.Mutex
	var logged []string
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			logged = append(logged, sc.Text())
			mu.Unlock()
		}
	}()
	logText := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(logged, "\n")
	}
	waitLog := func(parts ...string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			for _, line := range logged {
				all := true
				for _, p := range parts {
					all = all && strings.Contains(line, p)
				}
				if all {
					mu.Unlock()
					return
				}
			}
			mu.Unlock()
		}
		t.Fatalf("no log line with %q; log:\n%s", parts, logText())
	}
	greet := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/greet", port))
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitGreeting := func(want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got = greet(); got == want {
				return
			}
		}
		t.Fatalf("GET /greet = %q, want %q; log:\n%s", got, want, logText())
	}
	waitGreeting("Hello")

	write(strings.Replace(base, "greeting = Hello", "greeting = Ahoy", 1))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitGreeting("Ahoy")
	// Only [greeter] changed: the defaults web.Module added at start-up
	// are in the new configuration too.
	waitLog("NOTICE", "Configuration reloaded", `changed="greeter"`)

	write(strings.Replace(base, "greeting = Hello", "greeting =", 1))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog("ERROR", "New configuration refused", "greeting", `\"\"`)
	if got := greet(); got != "Ahoy" {
		t.Fatalf("after a refused reload GET /greet = %q, want the old %q", got, "Ahoy")
	}

	other := freePort(t)
	write(strings.Replace(strings.Replace(base, "greeting = Hello", "greeting = Hi", 1),
		fmt.Sprintf("127.0.0.1 %d", port), fmt.Sprintf("127.0.0.1 %d", other), 1))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitGreeting("Hi") // on the old port
	waitLog("WARNING", "cannot change at run time", "listen", fmt.Sprint(other))

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-scanned
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; log:\n%s", err, logText())
	}
}
