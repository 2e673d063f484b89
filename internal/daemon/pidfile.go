package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// State says what a pidfile tells about its daemon.
type State int

const (
	// Missing: there is no pidfile.
	Missing State = iota
	// Empty: the pidfile exists but holds no pid (a daemon that could not
	// remove its pidfile at exit empties it instead).
	Empty
	// Running: a process holds the pidfile's lock; it is the daemon.
	Running
	// Stale: the pidfile names a pid but nobody holds its lock, so the
	// daemon that wrote it is gone (the pid may belong to another process by
	// now).
	Stale
)

// String names the state.
func (s State) String() string {
	switch s {
	case Missing:
		return "missing"
	case Empty:
		return "empty"
	case Running:
		return "running"
	case Stale:
		return "stale"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is the result of Probe.
type Status struct {
	// State says whether the pidfile is missing, empty, held by a running
	// daemon or stale.
	State State
	// Pid is the pid written in the file (0 when Missing or Empty, and for
	// Running when the file holds no pid yet because the daemon is starting).
	Pid int
}

// ParsePid parses the content of a pidfile: a positive decimal pid,
// optionally surrounded by white space. Empty content gives 0 and no error.
func ParsePid(content []byte) (int, error) {
	s := string(bytes.TrimSpace(content))
	if s == "" {
		return 0, nil
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		if len(s) > 32 {
			s = s[:32] + "..."
		}
		return 0, fmt.Errorf("content %q is not a pid", s)
	}
	return pid, nil
}

// Probe reports the state of the pidfile at path without changing it. It
// briefly takes the lock to tell a running daemon from a stale file. An
// unreadable file or content that is not a pid is an error naming the path.
func Probe(path string) (Status, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Status{State: Missing}, nil
	}
	if err != nil {
		return Status{}, fmt.Errorf("pidfile %s: %w", path, err)
	}
	defer f.Close()
	content, err := readAll(f)
	if err != nil {
		return Status{}, fmt.Errorf("pidfile %s: read: %w", path, err)
	}
	pid, perr := ParsePid(content)
	locked, err := isLocked(f)
	if err != nil {
		return Status{}, fmt.Errorf("pidfile %s: probe lock: %w", path, err)
	}
	switch {
	case locked:
		// A daemon holds it; a pid that does not parse yet is a daemon
		// in the middle of writing it.
		return Status{State: Running, Pid: pid}, nil
	case perr != nil:
		return Status{}, fmt.Errorf("pidfile %s: %w", path, perr)
	case pid == 0:
		return Status{State: Empty}, nil
	}
	return Status{State: Stale, Pid: pid}, nil
}

// readAll reads the start of a pidfile; a pid never needs more.
func readAll(f *os.File) ([]byte, error) {
	return io.ReadAll(io.LimitReader(f, 64))
}

// isLocked tries the exclusive lock that a daemon holds and releases it at
// once when it was free.
func isLocked(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// Remove deletes the pidfile a daemon holds open as f and releases its lock.
// When the daemon may not delete it (it dropped privileges and the
// directory is not writable for it), it empties the file instead, which
// every reader treats as "not running"; emptied reports that case.
func Remove(f *os.File) (emptied bool, err error) {
	defer f.Close()
	rmErr := os.Remove(f.Name())
	if rmErr == nil || errors.Is(rmErr, fs.ErrNotExist) {
		return false, nil
	}
	if err := f.Truncate(0); err != nil {
		return false, fmt.Errorf("pidfile %s: remove: %w; empty: %w", f.Name(), rmErr, err)
	}
	return true, nil
}

// RemoveStale deletes a pidfile that Probe found Stale or Empty, unless a
// daemon took it in the meantime.
func RemoveStale(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("pidfile %s: taken by a new daemon: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	return nil
}

// WritableBy reports whether a process running as uid can delete files in
// dir: dir is writable for it (owner, or world) or sticky-and-world-writable
// such as /tmp, where the owner of a file may delete it.
func WritableBy(dir string, uid uint32) bool {
	fi, err := os.Stat(dir)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	mode := fi.Mode().Perm()
	if uid == 0 {
		return true
	}
	if st.Uid == uid {
		return mode&0o300 == 0o300
	}
	return mode&0o003 == 0o003
}
