package sock

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
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

// ServerSettings are the keys of a server's configuration section, decoded
// by [config.Decode]; their tags hold the section's only defaults.
// docs/sock.md lists them.
type ServerSettings struct {
	// Listen holds the addresses, one per line (see [ParseListen]).
	Listen string `ini:"listen" required:"true" doc:"one address per line"`
	// MaxConnections is ServerConfig.MaxConnections.
	MaxConnections int `ini:"max_connections" default:"1024" min:"1" doc:"connections handled at once by this server"`
	// ReadTimeout is ServerConfig.ReadTimeout; 0 is none.
	ReadTimeout time.Duration `ini:"read_timeout" default:"0" min:"0" doc:"a Read that makes no progress for this long fails"`
	// WriteTimeout is ServerConfig.WriteTimeout; 0 is none.
	WriteTimeout time.Duration `ini:"write_timeout" default:"0" min:"0" doc:"a Write that makes no progress for this long fails"`
	// UnixMode is ServerConfig.UnixMode in octal ("0660"); "" leaves it to
	// the umask.
	UnixMode string `ini:"unix_mode" doc:"octal permissions set on unix socket files"`
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
// are optional (see [ServerSettings]). An error names the section, the key
// and the bad value; a key the section does not know is logged as a WARNING
// (logger asab.socket) naming its file:line and the known keys.
func ReadServerConfig(cfg *config.Config, section string) (ServerConfig, error) {
	var sc ServerConfig
	var set ServerSettings
	if err := config.Decode(cfg, section, &set); err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	unknown, err := config.Unknown(cfg, section, &set)
	if err != nil {
		return sc, fmt.Errorf("sock: %w", err)
	}
	for _, u := range unknown {
		logging.Get("asab.socket").Warning().Msg(u.String())
	}
	if sc.Addrs, err = ParseListen(set.Listen); err != nil {
		return sc, fmt.Errorf("sock: config [%s] listen: %w", section, err)
	}
	if len(sc.Addrs) == 0 {
		return sc, fmt.Errorf("sock: config [%s] listen: no address given", section)
	}
	sc.MaxConnections, sc.ReadTimeout, sc.WriteTimeout = set.MaxConnections, set.ReadTimeout, set.WriteTimeout
	if m := strings.TrimSpace(set.UnixMode); m != "" {
		n, err := strconv.ParseUint(m, 8, 32)
		if err != nil || n > 0o777 {
			return sc, fmt.Errorf("sock: config [%s] unix_mode = %q: want octal permissions such as 0660", section, m)
		}
		sc.UnixMode = fs.FileMode(n)
	}
	return sc, nil
}
