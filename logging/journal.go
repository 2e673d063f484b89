package logging

import (
	"bytes"
	"context"
	"encoding/binary"

	"github.com/coreos/go-systemd/v22/journal"
)

// The journal output sends every record to systemd-journald through
// go-systemd's journal package, with MESSAGE, PRIORITY, SYSLOG_IDENTIFIER
// (the application name), LOGGER (the logger name) and one journal field
// per structured field (see journalName). In the output's queue a record is
// a list of name, value pairs, each written as the name, a NUL, the value's
// length (4 bytes, little-endian) and the value; the sink reads them back.

// appendJournal appends r as the journal output queues it.
func appendJournal(dst []byte, r *record, app string) []byte {
	dst, m := beginPair(dst, "MESSAGE")
	dst = endPair(appendMessage(dst, r), m)
	dst, m = beginPair(dst, "PRIORITY")
	dst = endPair(append(dst, byte('0'+r.level.severity())), m)
	dst, m = beginPair(dst, "SYSLOG_IDENTIFIER")
	dst = endPair(append(dst, app...), m)
	if r.name != "" {
		dst, m = beginPair(dst, "LOGGER")
		dst = endPair(append(dst, r.name...), m)
	}
	for _, f := range r.fields {
		dst = appendJournalName(dst, appendUnescaped(nil, r.key(f)))
		dst = append(dst, 0, 0, 0, 0, 0)
		m = len(dst)
		if f.str {
			dst = appendUnescaped(dst, r.val(f))
		} else {
			dst = append(dst, r.val(f)...)
		}
		dst = endPair(dst, m)
	}
	return dst
}

// beginPair appends name, a NUL and room for the value's length; endPair
// fills that in once the value is appended after it.
func beginPair(dst []byte, name string) ([]byte, int) {
	dst = append(dst, name...)
	dst = append(dst, 0, 0, 0, 0, 0)
	return dst, len(dst)
}

func endPair(dst []byte, mark int) []byte {
	binary.LittleEndian.PutUint32(dst[mark-4:], uint32(len(dst)-mark))
	return dst
}

// appendJournalName appends key as a journal field name: upper case,
// every byte other than A-Z, 0-9 and _ replaced by _, leading underscores
// (reserved for journald's own fields) dropped, F_ put before a name that
// is then empty or starts with a digit, at most 64 bytes.
func appendJournalName(dst, key []byte) []byte {
	for len(key) > 0 && key[0] == '_' {
		key = key[1:]
	}
	start := len(dst)
	if len(key) == 0 || (key[0] >= '0' && key[0] <= '9') {
		dst = append(dst, 'F', '_')
	}
	for _, c := range key {
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
		default:
			c = '_'
		}
		if len(dst)-start == 64 {
			break
		}
		dst = append(dst, c)
	}
	return dst
}

// journalSink sends the queued records to journald, one journal.Send each.
type journalSink struct{}

func (journalSink) deliver(_ context.Context, batch []byte, ends []int) int {
	n, start := 0, 0
	for _, end := range ends {
		msg, prio, vars := decodeJournal(batch[start:end])
		if journal.Send(msg, prio, vars) == nil {
			n++
		}
		start = end
	}
	return n
}

// decodeJournal reads back what appendJournal wrote.
func decodeJournal(b []byte) (msg string, prio journal.Priority, vars map[string]string) {
	vars = map[string]string{}
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 || len(b) < i+5 {
			return msg, prio, vars
		}
		name := string(b[:i])
		n := int(binary.LittleEndian.Uint32(b[i+1:]))
		b = b[i+5:]
		if n > len(b) {
			return msg, prio, vars
		}
		val := string(b[:n])
		b = b[n:]
		switch name {
		case "MESSAGE":
			msg = val
		case "PRIORITY":
			prio = journal.Priority(val[0] - '0')
		default:
			vars[name] = val
		}
	}
}

func (journalSink) reopen() error { return nil }

func (journalSink) close() error { return nil }
