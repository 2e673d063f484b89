package app

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notifyListener is a fake systemd: a unix datagram socket collecting the
// sd_notify messages of the process under test.
type notifyListener struct {
	t    *testing.T
	conn *net.UnixConn
	got  []string
}

func listenNotify(t *testing.T, dir string) (*notifyListener, string) {
	t.Helper()
	path := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &notifyListener{t: t, conn: conn}, path
}

// waitFor reads messages until one has the line want, within 10 s.
func (n *notifyListener) waitFor(want string) {
	n.t.Helper()
	buf := make([]byte, 4096)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = n.conn.SetReadDeadline(deadline)
		k, err := n.conn.Read(buf)
		if err != nil {
			n.t.Fatalf("waiting for %q: %v; got so far %q", want, err, n.got)
		}
		msg := string(buf[:k])
		n.got = append(n.got, msg)
		for _, line := range strings.Split(msg, "\n") {
			if line == want {
				return
			}
		}
	}
}

func testDaemonNotify(t *testing.T, b *daemonBox) {
	conf := b.config("notify", "[general]\ntick_period=0.05\n")
	fake, sock := listenNotify(t, b.dir)
	cmd := exec.Command(b.bin, "-c", conf) // foreground, as under Type=notify
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=500000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})

	fake.waitFor("READY=1")
	fake.waitFor("WATCHDOG=1")
	fake.waitFor("WATCHDOG=1")
	// A restart re-executes in place: RELOADING=1 from the old image,
	// READY=1 from the new one.
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	fake.waitFor("RELOADING=1")
	fake.waitFor("READY=1")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	fake.waitFor("STOPPING=1")
	select {
	case err := <-done:
		done <- err
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if fake.got[0] != "STATUS=Initializing" {
		t.Fatalf("first message %q, want STATUS=Initializing; all: %q", fake.got[0], fake.got)
	}
}
