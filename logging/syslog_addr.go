package logging

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// syslogAddr is where a syslog output sends: network is "unixgram" (a path
// or unix-sendto://), "unix" (unix-connect://, a stream), "udp" or "tcp";
// address is the socket path or host:port.
type syslogAddr struct {
	network string
	address string
}

// String returns the address in the URL form parseSyslogAddress reads.
func (a syslogAddr) String() string {
	switch a.network {
	case "unixgram":
		return "unix-sendto://" + a.address
	case "unix":
		return "unix-connect://" + a.address
	}
	return a.network + "://" + a.address
}

// remote reports whether the address is a network one (UDP or TCP)
// rather than a local socket.
func (a syslogAddr) remote() bool { return a.network == "tcp" || a.network == "udp" }

// stream reports whether the transport is a byte stream (needs framing).
func (a syslogAddr) stream() bool { return a.network == "tcp" || a.network == "unix" }

// parseSyslogAddress parses [logging:syslog] address: a socket path
// ("/dev/log", a unix datagram socket), unix-sendto:///path (the same),
// unix-connect:///path (a unix stream socket), udp://host[:port] or
// tcp://host[:port] (port 514 by default, IPv6 hosts in brackets, one
// trailing "/" allowed).
func parseSyslogAddress(s string) (syslogAddr, error) {
	bad := func(why string) (syslogAddr, error) {
		return syslogAddr{}, fmt.Errorf("logging: syslog address %q: %s", s, why)
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return bad("empty")
	}
	i := strings.Index(t, "://")
	if i < 0 {
		if strings.ContainsRune(t, 0) {
			return bad("NUL byte in socket path")
		}
		return syslogAddr{network: "unixgram", address: t}, nil
	}
	scheme, rest := strings.ToLower(t[:i]), t[i+3:]
	switch scheme {
	case "unix-sendto", "unix-connect":
		if rest == "" {
			return bad("missing socket path")
		}
		if strings.ContainsRune(rest, 0) {
			return bad("NUL byte in socket path")
		}
		if scheme == "unix-sendto" {
			return syslogAddr{network: "unixgram", address: rest}, nil
		}
		return syslogAddr{network: "unix", address: rest}, nil
	case "udp", "tcp":
	default:
		return bad("unknown scheme " + strconv.Quote(scheme) + " (want a path, unix-sendto://, unix-connect://, udp:// or tcp://)")
	}
	rest = strings.TrimSuffix(rest, "/")
	host, port := rest, "514"
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return bad("unclosed [ in IPv6 host")
		}
		host = rest[1:end]
		switch after := rest[end+1:]; {
		case after == "":
		case after[0] == ':':
			port = after[1:]
		default:
			return bad("unexpected text after ]: " + strconv.Quote(after))
		}
	case strings.Count(rest, ":") == 1:
		host, port = rest[:strings.IndexByte(rest, ':')], rest[strings.IndexByte(rest, ':')+1:]
	case strings.Count(rest, ":") > 1:
		return bad("IPv6 host must be in brackets, as [::1]:514")
	}
	if host == "" {
		return bad("missing host")
	}
	for _, c := range host {
		if c <= ' ' || c == 0x7f || c == '/' || c == '[' || c == ']' || c == '?' || c == '#' || c == '@' {
			return bad("invalid character " + strconv.QuoteRune(c) + " in host")
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '0' {
		return bad("invalid port " + strconv.Quote(port) + " (want 1-65535)")
	}
	return syslogAddr{network: scheme, address: net.JoinHostPort(host, port)}, nil
}
