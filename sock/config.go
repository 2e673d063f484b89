package sock

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
)

// DefaultMaxConnections is the connection limit of a server unless its
// configuration sets max_connections.
const DefaultMaxConnections = 1024

// ServerConfig is what one server listens on and how it treats its
// connections. The zero value of a field means its default.
type ServerConfig struct {
	// Addrs are the addresses to listen on; at least one.
	Addrs []Addr
	// MaxConnections is how many connections the server handles at once
	// (DefaultMaxConnections when 0). Past it, the server stops accepting
	// and new connections wait in the kernel's listen backlog.
	MaxConnections int
	// ReadTimeout and WriteTimeout, when positive, wrap every connection
	// with IdleTimeout before the handler sees it.
	ReadTimeout, WriteTimeout time.Duration
	// UnixMode, when non-zero, is set on unix socket files after they are
	// created (otherwise the umask decides).
	UnixMode fs.FileMode
}

func (c ServerConfig) maxConnections() int {
	if c.MaxConnections <= 0 {
		return DefaultMaxConnections
	}
	return c.MaxConnections
}

// ReadServerConfig reads a server's settings from a configuration section:
//
//	[echo]
//	listen=
//	    127.0.0.1 7000
//	    /tmp/echo.sock
//	max_connections=1024
//	read_timeout=5m
//	write_timeout=30s
//	unix_mode=0660
//
// listen is required (one address per line, see ParseListen); the other keys
// are optional. An error names the section, the key and the bad value.
func ReadServerConfig(cfg *config.Config, section string) (ServerConfig, error) {
	var sc ServerConfig
	raw, err := cfg.Get(section, "listen")
	if err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	if sc.Addrs, err = ParseListen(raw); err != nil {
		return sc, fmt.Errorf("sock: config [%s] listen: %w", section, err)
	}
	if len(sc.Addrs) == 0 {
		return sc, fmt.Errorf("sock: config [%s] listen: no address given", section)
	}
	if sc.MaxConnections, err = cfg.GetIntOr(section, "max_connections", DefaultMaxConnections); err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	if sc.MaxConnections < 1 {
		return sc, fmt.Errorf("sock: config [%s] max_connections = %d: must be at least 1", section, sc.MaxConnections)
	}
	if sc.ReadTimeout, err = cfg.GetDurationOr(section, "read_timeout", 0); err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	if sc.WriteTimeout, err = cfg.GetDurationOr(section, "write_timeout", 0); err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	m, err := cfg.GetOr(section, "unix_mode", "")
	if err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	if m = strings.TrimSpace(m); m != "" {
		n, err := strconv.ParseUint(m, 8, 32)
		if err != nil || n > 0o777 {
			return sc, fmt.Errorf("sock: config [%s] unix_mode = %q: want octal permissions such as 0660", section, m)
		}
		sc.UnixMode = fs.FileMode(n)
	}
	return sc, nil
}
