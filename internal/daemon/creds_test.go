package daemon

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestCredential(t *testing.T) {
	c, err := Credential("", "")
	if err != nil || c != nil {
		t.Fatalf("empty: %+v, %v", c, err)
	}
	c, err = Credential("nobody", "")
	if err != nil || c.Uid != 65534 || c.Gid != 65534 {
		t.Fatalf("nobody: %+v, %v", c, err)
	}
	c, err = Credential("65534", "0")
	if err != nil || c.Uid != 65534 || c.Gid != 0 {
		t.Fatalf("numbers: %+v, %v", c, err)
	}
	if _, err := Credential("no-such-user-xyz", ""); err == nil || !strings.Contains(err.Error(), `uid "no-such-user-xyz"`) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := Credential("", "no-such-group-xyz"); err == nil || !strings.Contains(err.Error(), `gid "no-such-group-xyz"`) {
		t.Fatalf("unknown group: %v", err)
	}
}

func TestParseUmask(t *testing.T) {
	for in, want := range map[string]int{"": -1, "022": 0o22, "0027": 0o27, "0o077": 0o77, "777": 0o777} {
		if got, err := ParseUmask(in); err != nil || got != want {
			t.Errorf("ParseUmask(%q) = %o, %v", in, got, err)
		}
	}
	for _, in := range []string{"8", "1000", "abc", "-1"} {
		if _, err := ParseUmask(in); err == nil {
			t.Errorf("ParseUmask(%q): no error", in)
		}
	}
}

func TestReadyListener(t *testing.T) {
	r, err := ListenReady()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// A child that reports ready the way the daemon does (sd_notify).
	notify := func() {
		conn, err := net.Dial("unixgram", r.Addr())
		if err != nil {
			t.Error(err)
			return
		}
		conn.Write([]byte("STATUS=Running\nREADY=1"))
		conn.Close()
	}
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	notify()
	if err := r.Wait(context.Background(), cmd.Process.Pid, 5*time.Second); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()

	// A child that dies first is reported, with its last status and code.
	cmd = exec.Command("sh", "-c", "exit 3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err = r.Wait(context.Background(), cmd.Process.Pid, 5*time.Second)
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "exited with code 3 before it was ready") {
		t.Fatalf("dead child: %v", err)
	}
	// A child that stays silent: bounded by the timeout.
	cmd = exec.Command("sleep", "5")
	cmd.Start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	err = r.Wait(context.Background(), cmd.Process.Pid, 200*time.Millisecond)
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "did not report ready within 200ms") {
		t.Fatalf("slow child: %v", err)
	}
}
