package listen

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// ErrBad is wrapped by every error Parse and ParseLines return.
var ErrBad = errors.New("bad listen address")

// Addr is one parsed listen line.
type Addr struct {
	// Network is "tcp", "tcp4", "tcp6" or "unix", as net.Listen takes it,
	// or Systemd for sockets passed by systemd.
	Network string
	// Address is "host:port" or ":port" for TCP and the path for unix; for
	// Systemd it is the FileDescriptorName= asked for, or "" for every
	// socket passed.
	Address string
	// Suffix is the trailing word Options.Suffix accepted, or "".
	Suffix string
}

// Systemd is the Network of the lines "systemd" and "systemd:NAME": the
// listeners are the sockets systemd passed (LISTEN_FDS), all of them or
// those named NAME (FileDescriptorName= in the .socket unit).
const Systemd = "systemd"

// Options adapt the grammar to a caller.
type Options struct {
	// Suffix, when set, is asked about the last word of a line; if it
	// returns true the word is taken off the line and kept in Addr.Suffix.
	Suffix func(word string) bool
	// SuffixHint names the suffix in the error about too many words,
	// e.g. "ssl or ssl:SECTION".
	SuffixHint string
}

// Parse reads one listen line (see the package documentation for the
// forms). An error wraps ErrBad and quotes line.
func Parse(line string, opt Options) (Addr, error) {
	a, reason := parse(line, opt)
	if reason != "" {
		return Addr{}, fmt.Errorf("%w %q: %s", ErrBad, line, reason)
	}
	return a, nil
}

// parse returns the address, or a reason why line is not one.
func parse(line string, opt Options) (Addr, string) {
	var a Addr
	words := strings.Fields(line)
	if n := len(words); n > 0 && opt.Suffix != nil && opt.Suffix(words[n-1]) {
		a.Suffix, words = words[n-1], words[:n-1]
	}
	if len(words) == 0 {
		return Addr{}, "no address"
	}
	if w := words[0]; w == Systemd || strings.HasPrefix(w, Systemd+":") {
		return parseSystemd(words, a)
	}
	if isPath(words[0]) {
		return parsePath(words, a)
	}
	switch len(words) {
	case 1:
		return parseOne(words[0], a)
	case 2:
		host, bracketed := unbracket(words[0])
		return parseHostPort(host, words[1], bracketed, a)
	}
	want := `want "address port", "host:port", a port, a socket path or unix:path`
	if opt.SuffixHint != "" {
		want += ", then optionally " + opt.SuffixHint
	}
	return Addr{}, want
}

func isPath(word string) bool {
	return strings.HasPrefix(word, "unix:") || strings.ContainsRune(word, '/')
}

// parseSystemd takes "systemd" or "systemd:NAME", one word.
func parseSystemd(words []string, a Addr) (Addr, string) {
	if len(words) > 1 {
		return Addr{}, fmt.Sprintf("%q is followed by %q (a systemd line is one word: systemd or systemd:NAME)", words[0], words[1])
	}
	name, named := strings.CutPrefix(words[0], Systemd+":")
	if !named {
		name = ""
	}
	if named && !validFDName(name) {
		return Addr{}, fmt.Sprintf("systemd socket name %q: want 1 to 255 printable ASCII characters without ':'", name)
	}
	a.Network, a.Address = Systemd, name
	return a, ""
}

// validFDName accepts what systemd accepts in FileDescriptorName=.
func validFDName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f || s[i] == ':' {
			return false
		}
	}
	return true
}

// parsePath takes a socket path, which is one word.
func parsePath(words []string, a Addr) (Addr, string) {
	if len(words) > 1 {
		return Addr{}, fmt.Sprintf("socket path %q is followed by %q (a path may not contain white space)", words[0], words[1])
	}
	path, explicit := strings.CutPrefix(words[0], "unix:")
	if explicit && path == "" {
		return Addr{}, "unix: needs a path"
	}
	a.Network, a.Address = "unix", path
	return a, ""
}

// parseOne takes a bare port or host:port.
func parseOne(word string, a Addr) (Addr, string) {
	if isDigits(word) {
		return parseHostPort("", word, false, a)
	}
	host, port, err := net.SplitHostPort(word)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return Addr{}, ae.Err
		}
		return Addr{}, err.Error()
	}
	return parseHostPort(host, port, strings.HasPrefix(word, "["), a)
}

// unbracket takes the brackets off "[host]".
func unbracket(host string) (string, bool) {
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		return host[1 : len(host)-1], true
	}
	return host, false
}

// parseHostPort checks the port and the host (empty means every interface)
// and chooses the network by the kind of host.
func parseHostPort(host, port string, bracketed bool, a Addr) (Addr, string) {
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || !isDigits(port) {
		return Addr{}, fmt.Sprintf("port %q is not a number from 0 to 65535", port)
	}
	ip := net.ParseIP(host)
	switch {
	case bracketed && (ip == nil || !strings.ContainsRune(host, ':')):
		return Addr{}, fmt.Sprintf("malformed host %q: brackets hold only an IPv6 address", host)
	case host == "":
		a.Network = "tcp"
	case ip != nil && ip.To4() != nil:
		a.Network = "tcp4"
	case ip != nil:
		a.Network = "tcp6"
	case strings.EqualFold(host, "unix"):
		return Addr{}, fmt.Sprintf(`host %q is refused: "unix:PATH" names a unix socket, so "unix:PORT" could not name this host; use its address or a longer name`, host)
	case validHostname(host):
		a.Network = "tcp"
	default:
		return Addr{}, fmt.Sprintf("malformed host %q: neither an IP address nor a host name", host)
	}
	a.Address = net.JoinHostPort(host, strconv.FormatUint(n, 10))
	return a, ""
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
