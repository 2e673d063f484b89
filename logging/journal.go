package logging

import (
	"context"
	"encoding/json"

	"github.com/coreos/go-systemd/v22/journal"
)

// The journal output sends every record to systemd-journald through
// go-systemd's journal package, with MESSAGE, PRIORITY, SYSLOG_IDENTIFIER
// (the application name), LOGGER (the logger name) and one journal field
// per structured field (see appendJournalName). In the output's queue a
// record is a JSON object of those fields, all values strings; the sink
// decodes it for journal.Send.

// appendJournal appends r as the journal output queues it.
func appendJournal(dst []byte, r *record, app string) []byte {
	dst = append(dst, `{"MESSAGE":"`...)
	dst = appendJSONMessage(dst, r)
	dst = append(dst, `","PRIORITY":"`...)
	dst = append(dst, byte('0'+r.level.severity()))
	dst = append(dst, `","SYSLOG_IDENTIFIER":"`...)
	dst = appendJSONName(dst, app)
	if r.name != "" {
		dst = append(dst, `","LOGGER":"`...)
		dst = appendJSONName(dst, r.name)
	}
	for _, f := range r.fields {
		dst = append(dst, `","`...)
		dst = appendJournalName(dst, unescape(r.key(f)))
		dst = append(dst, `":"`...)
		if f.str {
			dst = append(dst, r.val(f)...)
		} else {
			dst = appendJSONString(dst, r.val(f)) // the JSON text, as a string
		}
	}
	return append(dst, `"}`...)
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
		var vars map[string]string // a later key of the same name wins
		if json.Unmarshal(batch[start:end], &vars) == nil {
			msg, prio := vars["MESSAGE"], journal.PriNotice
			if p := vars["PRIORITY"]; len(p) == 1 && p[0] >= '0' && p[0] <= '7' {
				prio = journal.Priority(p[0] - '0')
			}
			delete(vars, "MESSAGE")
			delete(vars, "PRIORITY")
			if journal.Send(msg, prio, vars) == nil {
				n++
			}
		}
		start = end
	}
	return n
}

func (journalSink) close() error { return nil }
