package web

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Listen is one parsed line of a container's listen setting.
type Listen struct {
	// Network is "tcp", "tcp4", "tcp6" or "unix", as net.Listen takes it.
	Network string
	// Address is the address for net.Listen: "host:port", ":port" or a path.
	Address string
	// TLS names the configuration section holding cert and key, or is empty
	// for plain HTTP.
	TLS string
}

// String renders the listener as a listen line would name it.
func (l Listen) String() string {
	s := l.Address
	if l.Network == "unix" {
		s = "unix:" + s
	}
	if l.TLS != "" {
		s += " " + l.TLS
	}
	return s
}

// ParseListen parses one listen line. The forms are
//
//	0.0.0.0 8080          address and port (IPv4 or IPv6 address)
//	127.0.0.1:8080        address:port
//	[::1]:8080            bracketed IPv6 address and port
//	8080                  a bare port: every interface, IPv4 and IPv6
//	/run/app/web.sock     a unix socket path (absolute, or containing "/")
//
// each optionally followed by "ssl" or "ssl:SECTION" for TLS. A bare "ssl"
// takes the certificate from section "ssl:<container section>", which is
// what tlsSection is; "ssl:SECTION" names its own section. Ports run from 0
// (any free port) to 65535.
func ParseListen(line, tlsSection string) (Listen, error) {
	fields := strings.Fields(line)
	var l Listen
	if n := len(fields); n > 0 && isTLSToken(fields[n-1]) {
		l.TLS = tlsSectionName(fields[n-1], tlsSection)
		fields = fields[:n-1]
	}
	switch len(fields) {
	case 0:
		return Listen{}, fmt.Errorf("listen %q: no address", line)
	case 1:
		return parseOne(line, fields[0], l)
	case 2:
		return parseHostPort(line, fields[0], fields[1], l)
	default:
		return Listen{}, fmt.Errorf("listen %q: expected \"ADDRESS PORT\", \"ADDRESS:PORT\", a port or a socket path, optionally followed by ssl", line)
	}
}

func isTLSToken(s string) bool { return s == "ssl" || strings.HasPrefix(s, "ssl:") }

func tlsSectionName(tok, def string) string {
	if name := strings.TrimPrefix(tok, "ssl:"); name != tok && name != "" {
		return "ssl:" + name
	}
	return def
}

// parseOne handles a single token: a port, a path, or address:port.
func parseOne(line, tok string, l Listen) (Listen, error) {
	if strings.ContainsRune(tok, '/') {
		l.Network, l.Address = "unix", tok
		return l, nil
	}
	if isDigits(tok) {
		port, err := parsePort(line, tok)
		if err != nil {
			return Listen{}, err
		}
		l.Network, l.Address = "tcp", ":"+port
		return l, nil
	}
	host, port, err := net.SplitHostPort(tok)
	if err != nil {
		return Listen{}, fmt.Errorf("listen %q: %w", line, err)
	}
	return parseHostPort(line, host, port, l)
}

// parseHostPort checks the host (empty means every interface) and the port.
func parseHostPort(line, host, port string, l Listen) (Listen, error) {
	p, err := parsePort(line, port)
	if err != nil {
		return Listen{}, err
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	l.Network = "tcp"
	switch ip := net.ParseIP(host); {
	case host == "":
	case ip != nil && ip.To4() != nil:
		l.Network = "tcp4"
	case ip != nil:
		l.Network = "tcp6"
	case !validHostname(host):
		return Listen{}, fmt.Errorf("listen %q: %q is neither an IP address nor a host name", line, host)
	}
	l.Address = net.JoinHostPort(host, p)
	return l, nil
}

func parsePort(line, s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil || !isDigits(s) || n > 65535 {
		return "", fmt.Errorf("listen %q: port %q is not a number from 0 to 65535", line, s)
	}
	return strconv.Itoa(n), nil
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

// validHostname accepts letters, digits, '-' and '.' (as "localhost").
func validHostname(s string) bool {
	if len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
