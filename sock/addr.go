package sock

import (
	"strings"

	listenline "github.com/asabgo/asab/internal/listen"
)

// Addr is one address to listen on: Network is "tcp" or "unix", Address is
// "host:port" for TCP (host empty for every interface) and a file path for a
// unix stream socket; or Network is Systemd for sockets systemd passed.
type Addr struct {
	// Network is "tcp", "unix" or Systemd.
	Network string
	// Address is "host:port" for TCP (an empty host means every
	// interface), or the socket's file path for unix.
	Address string
}

// Systemd is the Network of the listen lines "systemd" (every socket
// systemd passed) and "systemd:NAME" (those of FileDescriptorName=NAME);
// Address is then NAME.
const Systemd = listenline.Systemd

// String returns the address in a form ParseAddr reads back: "host:port"
// for TCP, the path for unix sockets ("unix:path" when the path has no "/"
// or itself starts with "unix:").
func (a Addr) String() string {
	if a.Network == Systemd {
		if a.Address == "" {
			return Systemd
		}
		return Systemd + ":" + a.Address
	}
	if a.Network == "unix" && (!strings.ContainsRune(a.Address, '/') || strings.HasPrefix(a.Address, "unix:")) {
		return "unix:" + a.Address
	}
	return a.Address
}

// ErrAddr is wrapped by every error ParseAddr and ParseListen return.
var ErrAddr = listenline.ErrBad

// ParseAddr reads one listen address, in any of the forms of the [web]
// listen key (the grammar is shared with package web):
//
//	8080                  a bare port: every interface, IPv4 and IPv6
//	0.0.0.0 8080          address and port separated by white space
//	:: 8080               an IPv6 address needs no brackets in this form
//	127.0.0.1:8080        host:port
//	[::1]:8080            an IPv6 host:port needs brackets
//	localhost 8080        a host name (letters, digits, '-', dot-separated labels)
//	/run/app.sock         a unix stream socket path (anything with a "/")
//	unix:app.sock         an explicit unix socket path, relative here
//	systemd               every socket systemd passed (socket activation)
//	systemd:NAME          the sockets of FileDescriptorName=NAME
//
// A socket path may not contain white space. TCP addresses keep Network
// "tcp" whatever the host, so an IPv6 wildcard (":: 8080") listens on IPv4
// too where the system allows it. Port 0 asks the kernel for a free port;
// Server.Addrs reports it.
func ParseAddr(s string) (Addr, error) {
	a, err := listenline.Parse(s, listenline.Options{})
	if err != nil {
		return Addr{}, err
	}
	return fromAddr(a), nil
}

// ParseListen reads a multi-line listen value: one address per line (see
// ParseAddr). Blank lines and lines starting with "#" or ";" are skipped, and
// " #" or " ;" starts a comment at the end of a line. An error names the
// line (address lines counted from 1, blank and comment lines not counted)
// and what was wrong with it.
func ParseListen(text string) ([]Addr, error) {
	lines, err := listenline.ParseLines(text, listenline.Options{})
	if err != nil {
		return nil, err
	}
	var out []Addr
	for _, l := range lines {
		out = append(out, fromAddr(l.Addr))
	}
	return out, nil
}

// fromAddr keeps the network "tcp" for every TCP address.
func fromAddr(a listenline.Addr) Addr {
	if a.Network != "unix" && a.Network != Systemd {
		a.Network = "tcp"
	}
	return Addr{Network: a.Network, Address: a.Address}
}
