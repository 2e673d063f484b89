package web

import (
	"strings"

	"github.com/asabgo/asab/internal/listen"
)

// Listen is one parsed line of a container's listen setting.
type Listen struct {
	// Network is "tcp", "tcp4", "tcp6" or "unix", as net.Listen takes it,
	// or "systemd" for sockets systemd passed (socket activation).
	Network string
	// Address is the address for net.Listen: "host:port", ":port" or a
	// path; for "systemd" the FileDescriptorName= asked for, "" for all.
	Address string
	// TLS names the configuration section holding cert and key, or is empty
	// for plain HTTP.
	TLS string
}

// String renders the listener as a listen line would name it.
func (l Listen) String() string {
	s := l.Address
	switch {
	case l.Network == "unix":
		s = "unix:" + s
	case l.Network == listen.Systemd && s == "":
		s = listen.Systemd
	case l.Network == listen.Systemd:
		s = listen.Systemd + ":" + s
	}
	if l.TLS != "" {
		s += " " + l.TLS
	}
	return s
}

// ParseAddr parses one listen line. The forms are
//
//	0.0.0.0 8080          address and port (IPv4 or IPv6 address, or host name)
//	:: 8080               an IPv6 address needs no brackets in this form
//	127.0.0.1:8080        address:port
//	[::1]:8080            bracketed IPv6 address and port
//	8080                  a bare port: every interface, IPv4 and IPv6
//	/run/app/web.sock     a unix socket path (anything containing "/")
//	unix:web.sock         an explicit unix socket path, relative here
//
// each optionally followed by "ssl" or "ssl:SECTION" for TLS. A bare "ssl"
// takes the certificate from section "ssl:<container section>", which is
// what tlsSection is; "ssl:SECTION" names its own section. Ports run from 0
// (any free port) to 65535. A word starting with "unix:" is always a socket
// path, so the host name "unix" is refused. The grammar is package sock's
// too (sock.ParseAddr); an error quotes the line and says what is wrong.
func ParseAddr(line, tlsSection string) (Listen, error) {
	a, err := listen.Parse(line, listenOptions())
	if err != nil {
		return Listen{}, err
	}
	return fromAddr(a, tlsSection), nil
}

// ParseListen reads a multi-line listen value, one address per line (see
// ParseAddr), as the [web] listen key holds it. Blank lines and lines
// starting with "#" or ";" are skipped, and " #" or " ;" starts a comment at
// the end of a line. An error names the line ("line N", counting address
// lines only) and quotes it. It reads the same lines as sock.ParseListen.
func ParseListen(text, tlsSection string) ([]Listen, error) {
	lines, err := parseListenLines(text, tlsSection)
	if err != nil {
		return nil, err
	}
	out := make([]Listen, len(lines))
	for i, l := range lines {
		out[i] = l.Listen
	}
	return out, nil
}

// parseListenLines reads a multi-line listen value (see listen.ParseLines)
// and keeps each line's text and number for the errors of binding.
func parseListenLines(text, tlsSection string) ([]listenLine, error) {
	lines, err := listen.ParseLines(text, listenOptions())
	if err != nil {
		return nil, err
	}
	out := make([]listenLine, len(lines))
	for i, l := range lines {
		out[i] = listenLine{Listen: fromAddr(l.Addr, tlsSection), text: l.Text, n: l.N}
	}
	return out, nil
}

// listenOptions take a trailing "ssl" or "ssl:SECTION" off a line.
func listenOptions() listen.Options {
	return listen.Options{Suffix: isTLSToken, SuffixHint: "ssl or ssl:SECTION"}
}

func fromAddr(a listen.Addr, tlsSection string) Listen {
	l := Listen{Network: a.Network, Address: a.Address}
	if a.Suffix != "" {
		l.TLS = tlsSectionName(a.Suffix, tlsSection)
	}
	return l
}

func isTLSToken(s string) bool { return s == "ssl" || strings.HasPrefix(s, "ssl:") }

func tlsSectionName(tok, def string) string {
	if name := strings.TrimPrefix(tok, "ssl:"); name != tok && name != "" {
		return "ssl:" + name
	}
	return def
}
