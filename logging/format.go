package logging

import (
	"fmt"
	"strings"
)

// lineFormat is how a console or file output renders a record.
type lineFormat uint8

const (
	formatText lineFormat = iota // 23-Nov-2026 00:01:12.593478 WARNING my.module [sd k="v"] msg
	formatJSON                   // {"time":...,"level":...,"logger":...,"message":...,"fields":{...}}
)

func parseLineFormat(section, s string) (lineFormat, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "text", "default":
		return formatText, nil
	case "json":
		return formatJSON, nil
	}
	return 0, fmt.Errorf("logging: [%s] format: unknown value %q (want text or json)", section, s)
}

var levelColours = [numLevels]string{
	"\x1b[2m",    // DEBUG: dim
	"",           // INFO: plain
	"\x1b[36m",   // NOTICE: cyan
	"\x1b[33m",   // WARNING: yellow
	"\x1b[31m",   // ERROR: red
	"\x1b[1;31m", // CRITICAL: bold red
}

// appendText appends the console/file line of r with a trailing newline.
func appendText(dst []byte, r *record, sdID string, colour bool, tc *timeCache) []byte {
	dst = tc.appendTime(dst, r.t, false)
	dst = append(dst, ' ')
	if colour && levelColours[r.level] != "" {
		dst = append(dst, levelColours[r.level]...)
		dst = append(dst, levelNames[r.level]...)
		dst = append(dst, "\x1b[0m"...)
	} else {
		dst = append(dst, levelNames[r.level]...)
	}
	if r.name != "" {
		dst = append(dst, ' ')
		dst = append(dst, r.name...)
	}
	dst = appendSDMessage(dst, r, sdID, true)
	return append(dst, '\n')
}

// appendJSONLine appends r as one JSON object and a newline:
// {"time":"2026-11-23T00:01:12.593478Z","level":"NOTICE","logger":"a.b","message":"m","fields":{"k":"v"}}.
// "fields" is left out when there are none; field values keep the JSON
// type zerolog gave them.
func appendJSONLine(dst []byte, r *record, tc *timeCache) []byte {
	if r.typed != nil {
		d := r.typed.record(r)
		return appendJSONLine(dst, &d, tc)
	}
	msg, raw := r.msg, r.msgRaw
	var members []byte // the fields as JSON members, copied in one piece
	switch {
	case r.undecoded:
		m, mem, ok := flatEvent(r.src)
		if !ok {
			var fields [16]field
			d := r.decoded(fields[:0])
			return appendJSONLine(dst, &d, tc)
		}
		msg, members = m, mem
	case len(r.fields) > 0:
		if s, e, ok := r.fieldSpan(); ok {
			members = r.src[s:e]
		}
	}
	dst = append(dst, `{"time":"`...)
	dst = tc.appendTime(dst, r.t, true)
	dst = append(dst, `","level":"`...)
	dst = append(dst, levelNames[r.level]...)
	dst = append(dst, `","logger":"`...)
	dst = appendJSONName(dst, r.name)
	dst = append(dst, `","message":"`...)
	if raw {
		dst = appendJSONString(dst, msg)
	} else {
		dst = append(dst, msg...)
	}
	dst = append(dst, '"')
	switch {
	case len(members) > 0:
		dst = append(dst, `,"fields":{`...)
		dst = append(dst, members...)
		dst = append(dst, '}')
	case !r.undecoded && len(r.fields) > 0:
		dst = append(dst, `,"fields":{`...)
		dst = appendJSONFields(dst, r)
		dst = append(dst, '}')
	}
	return append(dst, '}', '\n')
}

// appendJSONFields appends the record's fields as JSON object members,
// "k":"v","n":5, one by one.
func appendJSONFields(dst []byte, r *record) []byte {
	for i, f := range r.fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, r.key(f)...)
		dst = append(dst, '"', ':')
		if f.str {
			dst = append(dst, '"')
			dst = append(dst, r.val(f)...)
			dst = append(dst, '"')
		} else {
			dst = append(dst, r.val(f)...)
		}
	}
	return dst
}

// appendJSONName appends a logger name as JSON string content; names are
// nearly always plain ASCII, which is copied without conversion.
func appendJSONName(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return appendJSONString(dst, []byte(s))
		}
	}
	return append(dst, s...)
}
