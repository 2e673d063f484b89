// Package listen is the one parser of the listen-line grammar that the web
// and sock packages share (the [web] listen key and every sock server's
// listen key). A line names one address to listen on:
//
//	8080                  a bare port: every interface, IPv4 and IPv6
//	0.0.0.0 8080          address and port separated by white space
//	:: 8080               an IPv6 address needs no brackets in this form
//	[::1] 8080            (brackets are allowed, around IPv6 only)
//	127.0.0.1:8080        host:port
//	[::1]:8080            an IPv6 host:port needs brackets
//	localhost 8080        a host name: letters, digits and '-' in dot-separated labels
//	/run/app.sock         a unix stream socket path (anything with a "/")
//	unix:app.sock         an explicit unix socket path, relative here
//	systemd               every socket systemd passed (socket activation)
//	systemd:web           the sockets systemd passed with FileDescriptorName=web
//
// The grammar is unambiguous: a word starting with "unix:" or containing a
// "/" is always a socket path, and the host name "unix" (in any case) is
// refused, so that "unix:8080" can only mean the socket file "8080" and no
// TCP address prints the same as a socket path.
//
// Ports run from 0 (any free port) to 65535. The network is "tcp4" for an
// IPv4 address, "tcp6" for an IPv6 address, "tcp" for a host name or no host,
// "unix" for a socket path, and Systemd for the two systemd lines (Address
// is then the name, or "" for every socket). A socket path may not contain
// white space. The word "systemd" starts a systemd line, so a host of that
// name needs its address or a longer name.
//
// A caller may take one trailing word off a line with Options.Suffix (web
// uses it for "ssl" and "ssl:SECTION"). ParseLines reads a multi-line value:
// blank lines and comment lines ("#" or ";") are skipped, " #" or " ;" starts
// a comment at the end of a line, and lines are numbered from 1 counting only
// address lines. Every error wraps ErrBad and quotes the offending line.
package listen
