package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// facilities are the syslog facility names (RFC 5424 section 6.2.1).
var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19,
	"local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// parseFacility reads a facility name (local0) or number (0-23).
func parseFacility(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if n, ok := facilities[t]; ok {
		return n, nil
	}
	if n, err := strconv.Atoi(t); err == nil && n >= 0 && n <= 23 {
		return n, nil
	}
	return 0, fmt.Errorf("logging: [logging:syslog] facility = %q: want a name such as local0, daemon, user, or 0-23", s)
}

// syslogHeader is what a syslog output puts around each record.
type syslogHeader struct {
	format   byte // '5' RFC 5424, '3' RFC 3164, 'm' macOS
	facility int
	host     string // already valid for the format; empty: left out (RFC 3164 over a local socket)
	app      string
	pid      string
	sdID     string
}

func newSyslogHeader(format string, facility int, host, app string, pid int, sdID string) (syslogHeader, error) {
	h := syslogHeader{facility: facility, pid: strconv.Itoa(pid), sdID: sdID}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "5":
		h.format = '5'
	case "3", "":
		h.format = '3'
	case "m":
		h.format = 'm'
	default:
		return h, fmt.Errorf("logging: [logging:syslog] format = %q: want 5 (RFC 5424), 3 (RFC 3164) or m (macOS)", format)
	}
	h.host = printASCII(host, 255)
	h.app = printASCII(app, 48)
	if h.format != '5' {
		// The RFC 3164 TAG is alphanumeric; keep it free of what ends it.
		h.app = strings.Map(func(r rune) rune {
			if r == '[' || r == ']' || r == ':' {
				return '_'
			}
			return r
		}, printASCII(app, 32))
	}
	return h, nil
}

// printASCII makes s a valid RFC 5424 header field: printable US-ASCII
// (33-126) only, others replaced by '_', at most max bytes, "-" when empty.
func printASCII(s string, max int) string { return string(appendPrintASCII(nil, s, max)) }

func appendPrintASCII(dst []byte, s string, max int) []byte {
	if s == "" {
		return append(dst, '-')
	}
	for i := 0; i < len(s) && i < max; i++ {
		c := s[i]
		if c < 33 || c > 126 {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendLine appends the syslog message for r, without framing.
func (h *syslogHeader) appendLine(dst []byte, r *record, tc *timeCache) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(h.facility*8+r.level.severity()), 10)
	dst = append(dst, '>')
	if h.format == '5' {
		return h.append5424(dst, r, tc)
	}
	dst = r.t.AppendFormat(dst, layoutBSD)
	dst = append(dst, ' ')
	if h.format == '3' && h.host != "" {
		dst = append(dst, h.host...)
		dst = append(dst, ' ')
	}
	dst = append(dst, h.app...)
	dst = append(dst, '[')
	dst = append(dst, h.pid...)
	dst = append(dst, "]: "...)
	dst = append(dst, levelNames[r.level]...)
	if r.name != "" {
		dst = append(dst, ' ')
		dst = append(dst, r.name...)
	}
	return appendSDMessage(dst, r, h.sdID, true)
}

// append5424 appends "1 TIMESTAMP HOST APP PID MSGID SD [MSG]"; MSGID is the
// logger name (printable ASCII, at most 32 bytes, "-" when empty) and SD is
// [log l="LEVEL"] followed by the fields' element when there are any.
func (h *syslogHeader) append5424(dst []byte, r *record, tc *timeCache) []byte {
	dst = append(dst, '1', ' ')
	dst = tc.appendTime(dst, r.t, true)
	dst = append(dst, ' ')
	dst = append(dst, h.host...)
	dst = append(dst, ' ')
	dst = append(dst, h.app...)
	dst = append(dst, ' ')
	dst = append(dst, h.pid...)
	dst = append(dst, ' ')
	dst = appendPrintASCII(dst, r.name, 32)
	dst = append(dst, ` [log l="`...)
	dst = append(dst, levelNames[r.level]...)
	dst = append(dst, `"]`...)
	return appendSDMessage(dst, r, h.sdID, false)
}

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

// syslogSink sends messages to a syslog server: it connects, reconnects
// with exponential backoff (retrying the message that failed) and reports
// a connection problem on errw once per outage.
type syslogSink struct {
	addr         syslogAddr
	newline      bool      // newline framing on a stream instead of octet counting
	errw         io.Writer // connection problems are reported here, once per outage
	minBackoff   time.Duration
	maxBackoff   time.Duration
	writeTimeout time.Duration

	connMu sync.Mutex
	conn   *syslogConn // set and cleared by the delivering goroutine, read by the abort hook

	backoff time.Duration
	failing bool
	good    int // writes in a row that succeeded since the last failure
	frame   []byte
}

// syslogConn is one connection; for streams a reader goroutine watches it
// and marks it dead as soon as the server closes it, so the sink
// reconnects before writing into a socket nobody reads.
type syslogConn struct {
	c          net.Conn
	dead       atomic.Bool
	readerDone chan struct{}
}

func newSyslogSink(s *syslogSink) *syslogSink {
	if s.minBackoff <= 0 {
		s.minBackoff = 50 * time.Millisecond
	}
	if s.maxBackoff < s.minBackoff {
		s.maxBackoff = 5 * time.Second
	}
	if s.writeTimeout <= 0 {
		s.writeTimeout = 10 * time.Second
	}
	return s
}

// deliver sends the messages one by one, each until it is sent or ctx is
// cancelled; a cancelled ctx also cuts a write in progress short.
func (s *syslogSink) deliver(ctx context.Context, batch []byte, ends []int) int {
	stop := context.AfterFunc(ctx, func() {
		s.connMu.Lock()
		if s.conn != nil {
			_ = s.conn.c.SetDeadline(time.Now())
		}
		s.connMu.Unlock()
	})
	defer stop()
	n, start := 0, 0
	for _, end := range ends {
		switch err := s.send(ctx, batch[start:end]); {
		case err == nil:
			n++
		case ctx.Err() != nil:
			return n
		}
		start = end
	}
	return n
}

// send delivers one message, reconnecting and retrying until it is sent,
// it cannot be (too big for a datagram), or ctx is cancelled.
func (s *syslogSink) send(ctx context.Context, msg []byte) error {
	for {
		if err := s.connect(ctx); err != nil {
			return err
		}
		err := s.writeMessage(msg)
		if err == nil {
			s.backoff = 0
			s.recovered()
			return nil
		}
		s.problem(ctx, err)
		s.disconnect()
		if errors.Is(err, syscall.EMSGSIZE) || ctx.Err() != nil {
			return err
		}
	}
}

// recovered ends an outage after a successful write. Over UDP a write
// succeeds even while nobody listens (the refusal comes back with the
// next one), so there it takes two writes in a row.
func (s *syslogSink) recovered() {
	if !s.failing {
		return
	}
	if s.good++; s.addr.network == "udp" && s.good < 2 {
		return
	}
	s.failing = false
	if s.errw != nil {
		fmt.Fprintf(s.errw, "logging: syslog %s: sending again\n", s.addr)
	}
}

// writeMessage writes one message with the transport's framing.
func (s *syslogSink) writeMessage(b []byte) error {
	if s.addr.stream() {
		if s.newline {
			s.frame = append(s.frame[:0], b...)
			for i, ch := range s.frame {
				if ch == '\n' {
					s.frame[i] = ' '
				}
			}
			s.frame = append(s.frame, '\n')
		} else {
			s.frame = strconv.AppendInt(s.frame[:0], int64(len(b)), 10)
			s.frame = append(s.frame, ' ')
			s.frame = append(s.frame, b...)
		}
		b = s.frame
		if cap(s.frame) > 64<<10 {
			defer func() { s.frame = nil }()
		}
	}
	_ = s.conn.c.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	_, err := s.conn.c.Write(b)
	return err
}

// connect makes sure there is a live connection, waiting out the backoff
// between attempts.
func (s *syslogSink) connect(ctx context.Context) error {
	if s.conn != nil && !s.conn.dead.Load() {
		return nil
	}
	s.disconnect()
	for {
		if s.backoff > 0 {
			t := time.NewTimer(s.backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		s.backoff = min(max(2*s.backoff, s.minBackoff), s.maxBackoff)
		d := net.Dialer{Timeout: 5 * time.Second}
		c, err := d.DialContext(ctx, s.addr.network, s.addr.address)
		if err != nil {
			s.problem(ctx, err)
			continue
		}
		sc := &syslogConn{c: c}
		if s.addr.stream() {
			sc.readerDone = make(chan struct{})
			go watch(sc)
		}
		s.connMu.Lock()
		s.conn = sc
		s.connMu.Unlock()
		return nil
	}
}

// watch reads from a stream connection until it fails (syslog servers send
// nothing), then marks it dead.
func watch(sc *syslogConn) {
	defer close(sc.readerDone)
	var b [256]byte
	for {
		if _, err := sc.c.Read(b[:]); err != nil {
			sc.dead.Store(true)
			return
		}
	}
}

func (s *syslogSink) disconnect() {
	s.connMu.Lock()
	sc := s.conn
	s.conn = nil
	s.connMu.Unlock()
	if sc == nil {
		return
	}
	_ = sc.c.Close()
	if sc.readerDone != nil {
		<-sc.readerDone
	}
}

// connected reports whether the sink holds a live connection (tests).
func (s *syslogSink) connected() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return s.conn != nil && !s.conn.dead.Load()
}

// problem reports a connection failure to errw once per outage.
func (s *syslogSink) problem(ctx context.Context, err error) {
	s.good = 0
	if s.failing || s.errw == nil || ctx.Err() != nil {
		return
	}
	s.failing = true
	fmt.Fprintf(s.errw, "logging: syslog %s: %v (lines are queued, then dropped and counted, until it is back)\n", s.addr, err)
}

func (s *syslogSink) close() error {
	s.disconnect()
	return nil
}
