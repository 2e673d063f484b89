package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEchoServer builds the example and runs it with its own .conf, the
// addresses changed to a free port and a temporary socket path, then echoes
// over both and stops it with SIGTERM.
func TestEchoServer(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "echoserver")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	conf, err := os.ReadFile("echoserver.conf")
	if err != nil {
		t.Fatal(err)
	}
	sockPath := filepath.Join(dir, "echo.sock")
	text := strings.NewReplacer("127.0.0.1 7000", "127.0.0.1 0", "/tmp/echoserver.sock", sockPath).Replace(string(conf))
	if text == string(conf) {
		t.Fatal("echoserver.conf no longer has the addresses this test replaces")
	}
	confPath := filepath.Join(dir, "echo.conf")
	if err := os.WriteFile(confPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", confPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var addrs [][2]string
	for len(addrs) < 2 && lines.Scan() {
		var network, address string
		if _, err := fmt.Sscanf(lines.Text(), "listening on %s %s", &network, &address); err != nil {
			t.Fatalf("unexpected output %q", lines.Text())
		}
		addrs = append(addrs, [2]string{network, address})
	}
	if len(addrs) != 2 || addrs[0][0] != "tcp" || addrs[1] != [2]string{"unix", sockPath} {
		t.Fatalf("listening on %v; stderr:\n%s", addrs, stderr.String())
	}
	if fi, err := os.Stat(sockPath); err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("unix socket: %v, %v; want mode 0660 from unix_mode", fi, err)
	}
	for _, a := range addrs {
		c, err := net.DialTimeout(a[0], a[1], 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		for _, line := range []string{"hello", "", "world  with spaces"} {
			fmt.Fprintf(c, "%s\n", line)
			got, err := r.ReadString('\n')
			if err != nil || got != line+"\n" {
				t.Fatalf("%s: sent %q, got %q, %v", a[0], line, got, err)
			}
		}
		defer c.Close() // still connected when the server stops
	}
	begin := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Fatalf("took %s to stop with idle clients connected", took)
	}
	if _, err := os.Stat(sockPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the socket file outlived the server: %v", err)
	}
}
