package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// ReadyListener is the starting process's end of the readiness channel: a
// unix datagram socket in Linux's abstract namespace (no file, no
// permissions, so a daemon that dropped privileges can still reach it). The
// daemon speaks the sd_notify protocol to it (its NOTIFY_SOCKET names it),
// so the code that tells systemd "READY=1" also tells the starting process.
type ReadyListener struct {
	conn *net.UnixConn
	addr string
}

// ListenReady opens a fresh readiness socket.
func ListenReady() (*ReadyListener, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("@asab-daemon-%d-%s", os.Getpid(), hex.EncodeToString(b[:]))
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("readiness socket: %w", err)
	}
	return &ReadyListener{conn: conn, addr: addr}, nil
}

// Addr is the value for the daemon's NOTIFY_SOCKET.
func (r *ReadyListener) Addr() string { return r.addr }

// Close closes the socket.
func (r *ReadyListener) Close() error { return r.conn.Close() }

// ErrNotReady is wrapped by Wait's errors when the daemon did not become
// ready.
var ErrNotReady = errors.New("daemon did not become ready")

// Wait returns nil when the daemon (our child pid) sent READY=1. It returns
// an error wrapping ErrNotReady when the child exited first (naming its
// exit status and the last STATUS= it sent), when timeout passed, or when
// ctx ended. The child is reaped when it exited.
func (r *ReadyListener) Wait(ctx context.Context, pid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 4096)
	var status string
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: %w", ErrNotReady, err)
		}
		_ = r.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, err := r.conn.Read(buf)
		if err == nil {
			for _, line := range strings.Split(string(buf[:n]), "\n") {
				switch {
				case line == "READY=1":
					return nil
				case strings.HasPrefix(line, "STATUS="):
					status = strings.TrimPrefix(line, "STATUS=")
				}
			}
			continue
		}
		var ws syscall.WaitStatus
		if got, _ := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); got == pid {
			return fmt.Errorf("%w: pid %d %s before it was ready%s", ErrNotReady, pid, describe(ws), lastStatus(status))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: pid %d did not report ready within %s (it is still running)%s", ErrNotReady, pid, timeout, lastStatus(status))
		}
	}
}

func describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "was killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("exited with code %d", ws.ExitStatus())
}

func lastStatus(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (last status: %s)", s)
}
