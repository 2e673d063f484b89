package daemon

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestKillStopsTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.pid")
	cmd := lockedBy(t, path)
	res, err := Kill(context.Background(), path, 5*time.Second)
	if err != nil || !res.Stopped || res.Pid != cmd.Process.Pid {
		t.Fatalf("Kill = %+v, %v", res, err)
	}
	if !strings.HasPrefix(res.Message, "stopped pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("message %q", res.Message)
	}
}

func TestKillTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.pid")
	f, _ := os.Create(path)
	syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
	// A process that ignores SIGTERM.
	cmd := exec.Command("sh", "-c", `trap "" TERM; while :; do sleep 0.05; done`)
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.WriteString(strconv.Itoa(cmd.Process.Pid))
	f.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	defer func() { _ = cmd.Process.Kill(); <-done }()
	time.Sleep(100 * time.Millisecond) // let sh install the trap
	res, err := Kill(context.Background(), path, 300*time.Millisecond)
	if err != nil || res.Stopped {
		t.Fatalf("Kill = %+v, %v; want not stopped", res, err)
	}
	if want := "did not stop within 300ms"; !strings.Contains(res.Message, want) {
		t.Fatalf("message %q lacks %q", res.Message, want)
	}
}

func TestKillWithoutDaemon(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.pid")
	res, err := Kill(context.Background(), path, time.Second)
	if err != nil || !res.Stopped || !strings.Contains(res.Message, "no pidfile") {
		t.Fatalf("missing: %+v, %v", res, err)
	}
	os.WriteFile(path, nil, 0o644)
	res, err = Kill(context.Background(), path, time.Second)
	if err != nil || !res.Stopped || !strings.Contains(res.Message, "is empty") {
		t.Fatalf("empty: %+v, %v", res, err)
	}
	// A stale pid is never signalled: use our own pid, which a signal
	// would kill.
	os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o644)
	res, err = Kill(context.Background(), path, time.Second)
	if err != nil || !res.Stopped || !strings.Contains(res.Message, "stale pidfile") {
		t.Fatalf("stale: %+v, %v", res, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("stale pidfile not removed")
	}
}

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Fatal("we are not alive")
	}
	cmd := exec.Command("true")
	cmd.Run()
	if Alive(cmd.Process.Pid) {
		t.Fatal("a reaped process is alive")
	}
}
