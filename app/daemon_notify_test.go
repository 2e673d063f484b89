package app

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// notifyListener is a notify-socket peer, as systemd is one: a unix datagram
// socket collecting the sd_notify messages of the process under test with
// the sender's pid (SO_PASSCRED), which systemd checks against MainPID.
type notifyListener struct {
	t    *testing.T
	conn *net.UnixConn
	got  []notifyMsg
}

// notifyMsg is one datagram and the pid that sent it.
type notifyMsg struct {
	text string
	pid  int
}

func listenNotify(t *testing.T, dir string) (*notifyListener, string) {
	t.Helper()
	path := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
	}); err != nil || serr != nil {
		t.Fatalf("SO_PASSCRED: %v %v", err, serr)
	}
	return &notifyListener{t: t, conn: conn}, path
}

// waitFor reads messages until one has the line want, within 10 s, and
// returns that message.
func (n *notifyListener) waitFor(want string) notifyMsg {
	n.t.Helper()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = n.conn.SetReadDeadline(deadline)
		k, oobn, _, _, err := n.conn.ReadMsgUnix(buf, oob)
		if err != nil {
			n.t.Fatalf("waiting for %q: %v; got so far %v", want, err, n.got)
		}
		msg := notifyMsg{text: string(buf[:k])}
		if cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil && len(cmsgs) == 1 {
			if cred, err := unix.ParseUnixCredentials(&cmsgs[0]); err == nil {
				msg.pid = int(cred.Pid)
			}
		}
		n.got = append(n.got, msg)
		for _, line := range strings.Split(msg.text, "\n") {
			if line == want {
				return msg
			}
		}
	}
}

// wellFormed fails unless every line of msg is KEY=VALUE: no blank line
// (a newline at the end included), which systemd 252 logs as an error.
func wellFormed(t *testing.T, msg string) []string {
	t.Helper()
	lines := strings.Split(msg, "\n")
	for _, l := range lines {
		if k, _, ok := strings.Cut(l, "="); !ok || k == "" || strings.ToUpper(k) != k {
			t.Fatalf("sd_notify message %q has a line %q that is not KEY=VALUE", msg, l)
		}
	}
	return lines
}

func monotonicUsec(t *testing.T) uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return uint64(ts.Sec)*1e6 + uint64(ts.Nsec)/1e3
}

// testDaemonNotify runs the program in the foreground, as under
// Type=notify, and checks what a restart says: RELOADING=1 with
// MONOTONIC_USEC in one well-formed message and no STOPPING=1, then READY=1
// from the same pid (the re-executed image); only a real stop sends
// STOPPING=1.
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
	pid := cmd.Process.Pid

	if ready := fake.waitFor("READY=1"); ready.pid != pid {
		t.Fatalf("READY=1 from pid %d, want %d", ready.pid, pid)
	}
	fake.waitFor("WATCHDOG=1")
	fake.waitFor("WATCHDOG=1")
	// A restart re-executes in place: RELOADING=1 from the old image,
	// READY=1 from the new one, under the same pid.
	before := monotonicUsec(t)
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	reloading := fake.waitFor("RELOADING=1")
	after := monotonicUsec(t)
	from := len(fake.got) - 1
	lines := wellFormed(t, reloading.text)
	if len(lines) != 3 || lines[0] != "RELOADING=1" || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") || lines[2] != "STATUS=Restarting" {
		t.Fatalf("restart message %q, want RELOADING=1, MONOTONIC_USEC=..., STATUS=Restarting", reloading.text)
	}
	usec, err := strconv.ParseUint(strings.TrimPrefix(lines[1], "MONOTONIC_USEC="), 10, 64)
	if err != nil || usec < before || usec > after {
		t.Fatalf("%s is not CLOCK_MONOTONIC in µs between %d and %d", lines[1], before, after)
	}
	if ready := fake.waitFor("READY=1"); ready.pid != pid {
		t.Fatalf("READY=1 after the restart from pid %d, want MainPID %d", ready.pid, pid)
	}
	for _, m := range fake.got[:from] {
		if strings.Contains(m.text, "RELOADING=1") {
			t.Fatalf("RELOADING=1 before the restart: %v", fake.got)
		}
	}
	for _, m := range fake.got {
		wellFormed(t, m.text)
		if strings.Contains(m.text, "STOPPING=1") {
			t.Fatalf("a restart sent STOPPING=1 (systemd would leave the unit deactivating and kill it): %v", fake.got)
		}
	}

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
	if fake.got[0].text != "STATUS=Initializing" {
		t.Fatalf("first message %q, want STATUS=Initializing; all: %v", fake.got[0].text, fake.got)
	}
}

func TestReloadingMessage(t *testing.T) {
	msg := reloadingMessage()
	lines := wellFormed(t, msg)
	if lines[0] != "RELOADING=1" || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
		t.Fatalf("reloadingMessage() = %q", msg)
	}
}
