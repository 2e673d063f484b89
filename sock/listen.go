package sock

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// listen opens one listener. A unix socket path is prepared first: a stale
// socket file (nobody answers on it) is removed, a live one or a file that
// is not a socket is an error. Closing the listener removes the file.
func listen(ctx context.Context, a Addr, mode fs.FileMode) (net.Listener, error) {
	var lc net.ListenConfig
	if a.Network != "unix" {
		l, err := lc.Listen(ctx, a.Network, a.Address)
		if err != nil {
			return nil, fmt.Errorf("sock: listen on %s: %w", a.Address, err)
		}
		return l, nil
	}
	if err := removeStaleSocket(ctx, a.Address); err != nil {
		return nil, err
	}
	l, err := lc.Listen(ctx, "unix", a.Address)
	if err != nil {
		return nil, fmt.Errorf("sock: listen on unix socket %s: %w", a.Address, err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(true)
	if mode != 0 {
		if err := os.Chmod(a.Address, mode); err != nil {
			l.Close()
			return nil, fmt.Errorf("sock: set mode %04o on unix socket %s: %w", mode, a.Address, err)
		}
	}
	return l, nil
}

// removeStaleSocket removes path when it is a socket file nobody listens on.
func removeStaleSocket(ctx context.Context, path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sock: unix socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("sock: unix socket %s: a %s is in the way; not removing it", path, describeType(fi.Mode()))
	}
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "unix", path)
	if err == nil {
		c.Close()
		return fmt.Errorf("sock: unix socket %s: another process is listening on it", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("sock: unix socket %s: cannot tell whether it is stale: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sock: remove stale unix socket %s: %w", path, err)
	}
	return nil
}

func describeType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m.IsRegular():
		return "regular file"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "file of mode " + m.String()
}
