package logging

import (
	"math"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// fieldsCase is one line logged both through zerolog and through LogFields.
type fieldsCase struct {
	strKey, strVal string
	n              int64
	fl             float64
	msg            string
}

// renderBoth logs c through a zerolog event and through LogFields on
// logger l, rendering every record with every golden format, and returns
// both renderings.
func renderBoth(t testing.TB, l *Logger, c fieldsCase) (viaEvent, viaFields string) {
	hdr5, _ := newSyslogHeader("5", 16, "host.example", "myapp", 1234, "sd")
	hdr3, _ := newSyslogHeader("3", 16, "host.example", "myapp", 1234, "sd")
	format := func(d []byte, r *record) []byte {
		d = appendText(d, r, "sd", false, nil)
		d = appendText(d, r, "sd", true, &timeCache{})
		d = appendJSONLine(d, r, &timeCache{})
		d = append(hdr5.appendLine(d, r), '\n')
		return append(hdr3.appendLine(d, r), '\n')
	}
	out := &captureOutput{format: format}
	p := newPipeline(LevelDebug, nil, fixedClock)
	p.outputs = []output{out}
	prev := makeCurrent(p)
	defer makeCurrent(prev)

	l.Notice().Str("method", "GET").Str(c.strKey, c.strVal).Int64("bytes", c.n).
		Float64("duration", c.fl).Msg(c.msg)
	var f Fields
	f.Str("method", "GET").Str(c.strKey, c.strVal).Int64("bytes", c.n).Float64("duration", c.fl)
	l.LogFields(LevelNotice, c.msg, &f)
	if len(out.lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(out.lines))
	}
	return out.lines[0], out.lines[1]
}

// TestLogFieldsGolden: the fast path writes byte-identical lines to the
// zerolog path, in every format, for plain, escaped and odd values.
func TestLogFieldsGolden(t *testing.T) {
	cases := []fieldsCase{
		{"path", "/hello", 6, 0.000123456, ""},
		{"path", "/a b/\"q\"/\\/]/ž", -1, 1.5, "done"},
		{"k e=y]\"", "ctl \x00\x01\b\f\n\r\t\x7f end", 0, 0, "multi\nline ✓"},
		{"bad\xffkey", "bad \xff\xfe utf8 \xe2\x82", math.MaxInt64, 5e-7, ""},
		{"path", "", math.MinInt64, 1e21, `"quoted" \ msg`},
		{"path", "x", 1, math.NaN(), ""},
		{"path", "x", 1, math.Inf(1), ""},
		{"path", "x", 1, math.Inf(-1), ""},
		{"path", "x", 1, -2.5e-9, ""},
		{"", "empty key", 1, 1e-6, ""},
	}
	for _, l := range []*Logger{Get("asab.web.al"), Get("ctx").With(func(c zerolog.Context) zerolog.Context { return c.Str("c", "1") })} {
		for _, c := range cases {
			ev, fl := renderBoth(t, l, c)
			if ev != fl {
				t.Errorf("%s %+v: LogFields differs from zerolog:\nzerolog: %s\nfields:  %s", l.Name(), c, ev, fl)
			}
		}
	}
	// The With logger's lines keep the context field.
	ev, _ := renderBoth(t, Get("ctx").With(func(c zerolog.Context) zerolog.Context { return c.Str("c", "1") }), cases[0])
	if !strings.Contains(ev, `c="1"`) {
		t.Errorf("context field missing: %s", ev)
	}
}

// TestLogFieldsFiltered: a line below the threshold is not written, and a
// Fields can be reused after Reset.
func TestLogFieldsFiltered(t *testing.T) {
	out := &captureOutput{format: func(d []byte, r *record) []byte { return appendText(d, r, "sd", false, nil) }}
	p := newPipeline(LevelNotice, nil, fixedClock)
	p.outputs = []output{out}
	use(t, p)
	var f Fields
	f.Str("a", "1")
	Get("x").LogFields(LevelInfo, "", &f)
	Get("x").LogFields(Level(99), "", &f)
	f.Reset()
	f.Str("b", "2")
	Get("x").LogFields(LevelNotice, "m", &f)
	Get("x").LogFields(LevelNotice, "", &f)
	want := []string{
		"23-Nov-2026 00:01:12.593478 NOTICE x [sd b=\"2\"] m\n",
		"23-Nov-2026 00:01:12.593478 NOTICE x [sd b=\"2\"]\n",
	}
	if strings.Join(out.lines, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", out.lines, want)
	}
}

// FuzzLogFields compares the fast path with zerolog on arbitrary input.
func FuzzLogFields(f *testing.F) {
	f.Add("path", "/hello", int64(6), 0.000123, "")
	f.Add("k\"]", "\x00\xff\n", int64(-5), 5e-7, "m\n\"")
	f.Fuzz(func(t *testing.T, k, v string, n int64, fl float64, msg string) {
		ev, fd := renderBoth(t, Get("fuzz"), fieldsCase{k, v, n, fl, msg})
		if ev != fd {
			t.Errorf("LogFields differs from zerolog:\nzerolog: %s\nfields:  %s", ev, fd)
		}
	})
}
