package sock

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Addr is one address to listen on: Network is "tcp" or "unix", Address is
// "host:port" for TCP (host empty for every interface) and a file path for a
// unix stream socket.
type Addr struct {
	Network string
	Address string
}

// String returns the address in a form ParseAddr reads back: "host:port"
// for TCP, the path for unix sockets ("unix:path" when the path has no "/").
func (a Addr) String() string {
	if a.Network == "unix" && !strings.ContainsRune(a.Address, '/') {
		return "unix:" + a.Address
	}
	return a.Address
}

// ErrAddr is wrapped by every error ParseAddr and ParseListen return.
var ErrAddr = errors.New("bad listen address")

// ParseAddr reads one listen address, in any of the forms of the [web]
// listen key:
//
//	8080                  a bare port: every interface, IPv4 and IPv6
//	0.0.0.0 8080          address and port separated by white space
//	:: 8080               an IPv6 address needs no brackets in this form
//	127.0.0.1:8080        host:port
//	[::1]:8080            an IPv6 host:port needs brackets
//	/run/app.sock         a unix stream socket path (anything with a "/")
//	unix:app.sock         an explicit unix socket path, relative here
//
// Port 0 asks the kernel for a free port; Server.Addrs reports it.
func ParseAddr(s string) (Addr, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Addr{}, fmt.Errorf("%w: empty", ErrAddr)
	}
	if p, ok := strings.CutPrefix(t, "unix:"); ok {
		if p == "" {
			return Addr{}, fmt.Errorf("%w %q: unix: needs a path", ErrAddr, s)
		}
		return Addr{Network: "unix", Address: p}, nil
	}
	if strings.ContainsRune(t, '/') {
		return Addr{Network: "unix", Address: t}, nil
	}
	var host, port string
	if f := strings.Fields(t); len(f) == 2 {
		host, port = f[0], f[1]
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	} else if len(f) > 2 {
		return Addr{}, fmt.Errorf("%w %q: want \"address port\", \"host:port\", a port or a socket path", ErrAddr, s)
	} else if isDigits(t) {
		port = t
	} else {
		var err error
		if host, port, err = net.SplitHostPort(t); err != nil {
			return Addr{}, fmt.Errorf("%w %q: %v", ErrAddr, s, strings.TrimPrefix(err.Error(), "address "+t+": "))
		}
	}
	if strings.ContainsAny(host, "[] \t") {
		return Addr{}, fmt.Errorf("%w %q: malformed host %q", ErrAddr, s, host)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || !isDigits(port) {
		return Addr{}, fmt.Errorf("%w %q: port %q is not a number from 0 to 65535", ErrAddr, s, port)
	}
	return Addr{Network: "tcp", Address: net.JoinHostPort(host, strconv.FormatUint(n, 10))}, nil
}

// ParseListen reads a multi-line listen value: one address per line (see
// ParseAddr). Blank lines and lines starting with "#" or ";" are skipped, and
// " #" or " ;" starts a comment at the end of a line. An error names the
// line (counted from 1 within the value) and what was wrong with it.
func ParseListen(text string) ([]Addr, error) {
	var out []Addr
	for i, line := range strings.Split(text, "\n") {
		line = stripComment(line)
		if line == "" {
			continue
		}
		a, err := ParseAddr(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// stripComment trims a line and removes a whole-line or trailing comment.
func stripComment(line string) string {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
		return ""
	}
	for i := 1; i < len(line); i++ {
		if (line[i] == '#' || line[i] == ';') && (line[i-1] == ' ' || line[i-1] == '\t') {
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
