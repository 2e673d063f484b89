package logging

import (
	"fmt"
	"strconv"
	"strings"
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
func printASCII(s string, max int) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < max; i++ {
		c := s[i]
		if c < 33 || c > 126 {
			c = '_'
		}
		b = append(b, c)
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

// appendLine appends the syslog message for r, without framing.
func (h *syslogHeader) appendLine(dst []byte, r *record) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(h.facility*8+r.level.severity()), 10)
	dst = append(dst, '>')
	if h.format == '5' {
		return h.append5424(dst, r)
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
func (h *syslogHeader) append5424(dst []byte, r *record) []byte {
	dst = append(dst, '1', ' ')
	dst = appendRFC3339Micro(dst, r.t)
	dst = append(dst, ' ')
	dst = append(dst, h.host...)
	dst = append(dst, ' ')
	dst = append(dst, h.app...)
	dst = append(dst, ' ')
	dst = append(dst, h.pid...)
	dst = append(dst, ' ')
	dst = appendMsgID(dst, r.name)
	dst = append(dst, ` [log l="`...)
	dst = append(dst, levelNames[r.level]...)
	dst = append(dst, `"]`...)
	return appendSDMessage(dst, r, h.sdID, false)
}

func appendMsgID(dst []byte, name string) []byte {
	if name == "" {
		return append(dst, '-')
	}
	for i := 0; i < len(name) && i < 32; i++ {
		c := name[i]
		if c < 33 || c > 126 {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}
