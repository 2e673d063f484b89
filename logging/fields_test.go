package logging

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

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

// captureText makes a NOTICE pipeline with the fixed clock current for the
// test, capturing console text lines.
func captureText(t *testing.T) *captureOutput {
	t.Helper()
	out := &captureOutput{format: func(d []byte, r *record) []byte { return appendText(d, r, "sd", false, nil) }}
	p := newPipeline(LevelNotice, nil, fixedClock)
	p.outputs = []output{out}
	use(t, p)
	return out
}

// TestLogFieldsFiltered: a line below the threshold is not written, and a
// Fields can be reused after Reset.
func TestLogFieldsFiltered(t *testing.T) {
	out := captureText(t)
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

// TestLogFieldsAt: the line carries the time given, or the clock's for
// the zero time.
func TestLogFieldsAt(t *testing.T) {
	out := captureText(t)
	var f Fields
	f.Str("a", "1")
	at := time.Date(2027, time.March, 4, 5, 6, 7, 891011000, fixedClock().Location())
	Get("x").LogFieldsAt(at, LevelNotice, "", &f)
	Get("x").LogFieldsAt(time.Time{}, LevelNotice, "", &f)
	want := []string{
		"04-Mar-2027 05:06:07.891011 NOTICE x [sd a=\"1\"]\n",
		"23-Nov-2026 00:01:12.593478 NOTICE x [sd a=\"1\"]\n",
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

// TestSecondsMatchesFloat64: Seconds writes what Float64(d.Seconds())
// writes, on the fast range's edges and on either side of it.
func TestSecondsMatchesFloat64(t *testing.T) {
	ds := []time.Duration{0, 1, 999, 1000, 1001, 1010, 123456, 100000000, 999999999, time.Second,
		time.Second + 1, 90 * time.Minute, -5, math.MaxInt64, math.MinInt64}
	for d := time.Duration(1); d < time.Second; d = d*3 + 7 {
		ds = append(ds, d)
	}
	for _, d := range ds {
		checkSeconds(t, d)
	}
}

func checkSeconds(t *testing.T, d time.Duration) {
	var a, b Fields
	a.Seconds("d", d)
	b.Float64("d", d.Seconds())
	a.encode()
	b.encode()
	if string(a.src) != string(b.src) || a.fields[0] != b.fields[0] {
		t.Errorf("%d ns: Seconds wrote %s %+v, Float64 %s %+v", int64(d), a.src, a.fields[0], b.src, b.fields[0])
	}
	sa, _ := a.appendSD(nil, "sd", false)
	sb, _ := b.appendSD(nil, "sd", false)
	if string(sa) != string(sb) {
		t.Errorf("%d ns: Seconds rendered %s, Float64 %s", int64(d), sa, sb)
	}
}

// FuzzSeconds compares Seconds with Float64 on arbitrary durations.
func FuzzSeconds(f *testing.F) {
	f.Add(int64(123456))
	f.Fuzz(func(t *testing.T, n int64) {
		checkSeconds(t, time.Duration(n))
		checkSeconds(t, time.Duration(n%int64(time.Second)))
	})
}

// TestFieldsSDTakesPlainFields: plain keys and values are rendered
// straight from the values; a key that is not an SD-NAME or a value with
// a byte to escape makes appendSD decline and append nothing, so that the
// line goes through the JSON encoding (which TestLogFieldsGolden checks
// against zerolog).
func TestFieldsSDTakesPlainFields(t *testing.T) {
	var f Fields
	f.Str("method", "GET").Str("path", "/hello").Int64("status", 200).
		Seconds("duration", 34692*time.Nanosecond).Float64("f", 2.5e-9).Str("ip", "127.0.0.1")
	got, ok := f.appendSD([]byte("x"), "sd", true)
	want := `x [sd method="GET" path="/hello" status="200" duration="0.000034692" f="2.5e-9" ip="127.0.0.1"]`
	if !ok || string(got) != want {
		t.Errorf("appendSD = %q, %v; want %q, true", got, ok, want)
	}
	for _, odd := range []struct{ k, v string }{
		{"k", `a"b`}, {"k", `a\b`}, {"k", "a]b"}, {"k", "a\nb"}, {"k", "ž"}, {"k", "\xff"},
		{"a b", "v"}, {"a=b", "v"}, {"", "v"}, {`a\b`, "v"}, {strings.Repeat("k", 33), "v"},
	} {
		f.Reset()
		f.Str("method", "GET").Str(odd.k, odd.v)
		if got, ok := f.appendSD([]byte("x"), "sd", true); ok || string(got) != "x" {
			t.Errorf("%q=%q: appendSD = %q, %v; want it to decline", odd.k, odd.v, got, ok)
		}
	}
}

// TestAppendSmall: every number appendSmall takes, as strconv writes it.
func TestAppendSmall(t *testing.T) {
	for n := range uint32(10000) {
		if got, want := string(appendSmall(nil, n)), strconv.Itoa(int(n)); got != want {
			t.Fatalf("appendSmall(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFieldsAddAfterLogging: a field added after a line was written (no
// Reset) is in the next line, in the text and in the JSON rendering.
func TestFieldsAddAfterLogging(t *testing.T) {
	out := &captureOutput{format: func(d []byte, r *record) []byte {
		d = appendText(d, r, "sd", false, nil)
		return appendJSONLine(d, r, &timeCache{})
	}}
	p := newPipeline(LevelNotice, nil, fixedClock)
	p.outputs = []output{out}
	use(t, p)
	var f Fields
	f.Str("a", "1")
	Get("x").LogFields(LevelNotice, "m", &f) // encodes the fields for the message
	f.Int64("b", 2)
	Get("x").LogFields(LevelNotice, "m", &f)
	Get("x").LogFields(LevelNotice, "", &f)
	for i, want := range []string{`"fields":{"a":"1"}`, `"fields":{"a":"1","b":2}`, `"fields":{"a":"1","b":2}`} {
		if !strings.Contains(out.lines[i], want) {
			t.Errorf("line %d = %q, want %s in it", i, out.lines[i], want)
		}
	}
	if want := `[sd a="1" b="2"]`; !strings.Contains(out.lines[2], want) {
		t.Errorf("line 2 = %q, want %s in it", out.lines[2], want)
	}
}
