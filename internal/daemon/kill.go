package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// KillResult is what Kill found and did; Message is a sentence for the user.
type KillResult struct {
	// Stopped is true when the daemon is not running any more (or was not).
	Stopped bool
	// Pid is the pid read from the pidfile, or 0 when the pidfile was
	// missing or empty.
	Pid int
	// Message says what Kill found or did, for printing to the user; it is
	// empty when Kill returns an error.
	Message string
}

// Kill stops the daemon that holds the pidfile at path: it sends SIGTERM
// and waits until the process has exited, at most timeout (ctx can end the
// wait earlier). A missing or empty pidfile means "not running"; a stale one
// is removed and reported, and its pid is never signalled. An unreadable
// pidfile is an error.
func Kill(ctx context.Context, path string, timeout time.Duration) (KillResult, error) {
	st, err := Probe(path)
	if err != nil {
		return KillResult{}, err
	}
	switch st.State {
	case Missing:
		return KillResult{Stopped: true, Message: fmt.Sprintf("not running (no pidfile %s)", path)}, nil
	case Empty:
		return KillResult{Stopped: true, Message: fmt.Sprintf("not running (pidfile %s is empty)", path)}, nil
	case Stale:
		msg := fmt.Sprintf("not running: stale pidfile %s names pid %d, which no longer holds it", path, st.Pid)
		if err := RemoveStale(path); err != nil {
			msg += fmt.Sprintf(" (could not remove it: %v)", err)
		} else {
			msg += "; removed it"
		}
		return KillResult{Stopped: true, Pid: st.Pid, Message: msg}, nil
	}
	if st.Pid == 0 {
		return KillResult{}, fmt.Errorf("pidfile %s is locked by a daemon that has not written its pid yet; try again", path)
	}
	if err := syscall.Kill(st.Pid, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return KillResult{Stopped: true, Pid: st.Pid, Message: fmt.Sprintf("pid %d already exited", st.Pid)}, nil
		}
		return KillResult{Pid: st.Pid}, fmt.Errorf("send SIGTERM to pid %d (pidfile %s): %w", st.Pid, path, err)
	}
	start := time.Now()
	if waitExit(ctx, st.Pid, timeout) {
		return KillResult{Stopped: true, Pid: st.Pid,
			Message: fmt.Sprintf("stopped pid %d in %s", st.Pid, time.Since(start).Round(time.Millisecond))}, nil
	}
	return KillResult{Pid: st.Pid,
		Message: fmt.Sprintf("pid %d did not stop within %s after SIGTERM", st.Pid, timeout)}, nil
}

// waitExit polls until pid is gone (or a zombie), the timeout passes or ctx
// ends; it reports whether the process exited.
func waitExit(ctx context.Context, pid int, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for {
		if !Alive(pid) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return !Alive(pid)
		case <-poll.C:
		}
	}
}

// Alive reports whether pid names a live process. A zombie (exited, not
// yet reaped by its parent) counts as gone.
func Alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: trust kill(2)
	}
	// The state follows the command name in parentheses, which may itself
	// contain ')'.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}
