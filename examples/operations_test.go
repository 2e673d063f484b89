package examples_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOperations runs examples/operations with its .conf on free ports:
// readiness follows the upstream check, liveness does not, the debug
// listener serves a goroutine dump that the public port does not, and
// SIGTERM stops it with exit code 0.
func TestOperations(t *testing.T) {
	bin := build(t, "operations")
	webPort, debugPort := freePort(t), freePort(t)
	conf := movedConf(t, "operations/operations.conf",
		"127.0.0.1 8081", fmt.Sprintf("127.0.0.1 %d", webPort),
		"127.0.0.1 6061", fmt.Sprintf("127.0.0.1 %d", debugPort))
	cmd := exec.Command(bin, "-c", conf)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	public := fmt.Sprintf("http://127.0.0.1:%d", webPort)
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitStatus := func(path string, want int) string {
		t.Helper()
		var code int
		var body string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if code, body = get(public + path); code == want {
				return body
			}
		}
		t.Fatalf("GET %s: %d %q, want %d; stderr:\n%s", path, code, body, want, errb.String())
		return ""
	}
	waitStatus("/asab/v1/health/ready", http.StatusOK)
	waitStatus("/asab/v1/health/startup", http.StatusOK)

	resp, err := http.Post(public+"/upstream/down", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	body := waitStatus("/asab/v1/health/ready", http.StatusServiceUnavailable)
	if !strings.Contains(body, `"name":"upstream","status":"down"`) || !strings.Contains(body, "upstream does not answer") {
		t.Fatalf("ready body: %s", body)
	}
	waitStatus("/asab/v1/health/live", http.StatusOK)

	if code, dump := get(fmt.Sprintf("http://127.0.0.1:%d/debug/goroutines", debugPort)); code != http.StatusOK || !strings.Contains(dump, "goroutine ") {
		t.Fatalf("debug listener: %d %.200q", code, dump)
	}
	if code, _ := get(public + "/debug/goroutines"); code != http.StatusNotFound {
		t.Fatalf("the public port answered /debug/goroutines with %d", code)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; stderr:\n%s", err, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit within 20 s of SIGTERM")
	}
}
