package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/internal/listen"
)

// bind opens the listeners of one listen line (one, or for "systemd" every
// socket systemd passed), with TLS when the line asks. The application
// keeps the sockets across a restart (app.Application.Listen): after one,
// the sockets of the image before are taken over instead of bound anew.
func (c *Container) bind(ctx context.Context, l listenLine) ([]net.Listener, error) {
	var tlsConf *tls.Config
	if l.TLS != "" {
		var err error
		if tlsConf, err = c.loadTLS(l.TLS); err != nil {
			return nil, err
		}
	}
	lns, err := c.app.Listen(ctx, l.Network+" "+l.Address, func(ctx context.Context) ([]net.Listener, error) {
		if l.Network == listen.Systemd {
			return c.app.SystemdListeners(l.Address)
		}
		if l.Network == "unix" {
			if err := removeStaleSocket(ctx, l.Address); err != nil {
				return nil, err
			}
		}
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, l.Network, l.Address)
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	})
	if err != nil {
		return nil, err
	}
	if tlsConf != nil {
		for i, ln := range lns {
			lns[i] = tls.NewListener(ln, tlsConf)
		}
	}
	return lns, nil
}

// loadTLS reads cert and key (PEM files) from the named section.
func (c *Container) loadTLS(section string) (*tls.Config, error) {
	var files struct {
		Cert string `ini:"cert" required:"true"`
		Key  string `ini:"key" required:"true"`
	}
	if err := config.Decode(c.app.Config(), section, &files); err != nil {
		return nil, fmt.Errorf("TLS: %w", err)
	}
	pair, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		return nil, fmt.Errorf("TLS: [%s] cert %q, key %q: %w", section, files.Cert, files.Key, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// removeStaleSocket removes a socket file nobody listens on any more (left
// by a process that crashed), and refuses a live socket or another file.
func removeStaleSocket(ctx context.Context, path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	d := net.Dialer{Timeout: time.Second}
	if conn, err := d.DialContext(ctx, "unix", path); err == nil {
		_ = conn.Close()
		return fmt.Errorf("%s: another process is listening on this socket", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove stale socket: %w", err)
	}
	return nil
}
