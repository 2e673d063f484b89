package logging

import (
	"bytes"
	"testing"

	"github.com/rs/zerolog"
)

// renderBothWays renders src's SD and message from the undecoded event
// (the fast path where it applies) and from the decoded record (always the
// long way), and reports whether the fast path took the event.
func renderBothWays(src []byte, spaced bool) (fast, long []byte, took bool) {
	u := record{src: src, undecoded: true}
	fast = appendSDMessage([]byte("head"), &u, "sd", spaced)
	_, _, took = transcodeEvent(nil, "sd", spaced, src)
	d := u.decoded(nil)
	long = appendSDMessage([]byte("head"), &d, "sd", spaced)
	return fast, long, took
}

func TestTranscodeEvent(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want string // after "head", spaced
		fast bool
	}{
		{`{"key":"value","n":5,"ok":true,"message":"Something odd"}` + "\n", `head [sd key="value" n="5" ok="true"] Something odd`, true},
		{`{"message":"only a message"}` + "\n", `head only a message`, true},
		{`{"k":"v"}` + "\n", `head [sd k="v"]`, true},
		{`{}` + "\n", `head`, true},
		{`{"f":-1.5e-7,"z":null,"e":""}`, `head [sd f="-1.5e-7" z="null" e=""]`, true},
		{`{"k":"v","message":"tab\tand \"quote\""}` + "\n", "head [sd k=\"v\"] tab\tand \"quote\"", true},
		// What the fast path leaves to the decoder, rendered all the same.
		{`{"k":"a\"b"}`, `head [sd k="a\"b"]`, false},
		{`{"k":"a]b"}`, `head [sd k="a\]b"]`, false},
		{`{"k e":"v"}`, `head [sd k_e="v"]`, false},
		{`{"k=":"v"}`, `head [sd k_="v"]`, false},
		{`{"o":{"a":[1,2]}}`, `head [sd o="{\"a\":[1,2\]}"]`, false},
		{`{"a":[1]}`, `head [sd a="[1\]"]`, false},
		{`{"message":"first","k":1}`, `head [sd k="1"] first`, false},
		{`{"message":5}`, `head [sd message="5"]`, true},
		{`{"abcdefghijklmnopqrstuvwxyz0123456789":1}`, `head [sd abcdefghijklmnopqrstuvwxyz012345="1"]`, false},
		{`{ "k" : "v" }`, `head [sd k="v"]`, false},
		{`not json`, `head not json`, false},
		{`{"k":"v"} trailing`, `head {"k":"v"} trailing`, false},
		{`{"k":"v"`, `head {"k":"v"`, false},
		{`{"k":"v`, `head {"k":"v`, false},
		{`{"k":`, `head {"k":`, false},
		{`{"k"`, `head {"k"`, false},
		{`{"":1}`, `head [sd _="1"]`, false},
	} {
		fast, long, took := renderBothWays([]byte(tc.src), true)
		if string(long) != tc.want {
			t.Errorf("%s: long way rendered %q, want %q", tc.src, long, tc.want)
		}
		if string(fast) != string(long) {
			t.Errorf("%s: fast path rendered %q, long way %q", tc.src, fast, long)
		}
		if took != tc.fast {
			t.Errorf("%s: fast path took it = %v, want %v", tc.src, took, tc.fast)
		}
	}
}

// TestTranscodeUnspaced: the RFC 5424 placement, SD right after [log ...].
func TestTranscodeUnspaced(t *testing.T) {
	fast, long, took := renderBothWays([]byte(`{"a":1,"message":"m"}`+"\n"), false)
	if !took || string(fast) != `head[sd a="1"] m` || string(fast) != string(long) {
		t.Fatalf("fast %q long %q took %v", fast, long, took)
	}
}

// FuzzTranscode: whatever the bytes, the fast path renders exactly what
// decoding and rendering the long way does (or declines the event).
func FuzzTranscode(f *testing.F) {
	for _, s := range []string{
		`{"key":"value","n":5,"ok":true,"message":"Something odd"}` + "\n",
		`{"k":"a\"b","message":"x"}`, `{"o":{"a":1},"message":"m"}`, `{}`, `{"message":"m","k":1}`,
		`{"k":tru e}`, `{"k":1,}`, `{"k":"v"}}`, `{"message":"a","message":"b"}`,
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, src []byte, spaced bool) {
		fast, long, _ := renderBothWays(src, spaced)
		if !bytes.Equal(fast, long) {
			t.Fatalf("%q: fast path %q, long way %q", src, fast, long)
		}
	})
}

// FuzzTranscodeZerolog: events as zerolog encodes them, with arbitrary keys,
// values and message, take the fast path whenever they are plain and
// render as the long way does.
func FuzzTranscodeZerolog(f *testing.F) {
	f.Add("key", "value", int64(5), "Something odd")
	f.Add("k e", "a]b", int64(-1), "")
	f.Add("message", "x", int64(0), "m")
	f.Fuzz(func(t *testing.T, key, val string, n int64, msg string) {
		var buf bytes.Buffer
		zl := zerolog.New(&buf)
		zl.Log().Str(key, val).Int64("n", n).Bool("ok", true).Msg(msg)
		fast, long, _ := renderBothWays(buf.Bytes(), true)
		if !bytes.Equal(fast, long) {
			t.Fatalf("%q: fast path %q, long way %q", buf.Bytes(), fast, long)
		}
	})
}

// TestFieldSpan: the JSON line output copies zerolog's members in one
// piece exactly when that gives the bytes the member-by-member rendering
// gives.
func TestFieldSpan(t *testing.T) {
	for _, tc := range []struct {
		src  string
		span bool
	}{
		{`{"k":"v","n":5,"o":{"a":1},"message":"m"}`, true},
		{`{"message":"m","k":"v","n":5}`, true},
		{`{"k":"v","message":"m","n":5}`, false}, // the message sits between
		{`{"k" : "v"}`, false},                   // white space zerolog never writes
		{`{"k":"v", "n":5}`, false},
		{`{"message":"m"}`, false}, // no fields
	} {
		d := (&record{src: []byte(tc.src), undecoded: true}).decoded(nil)
		s, e, ok := d.fieldSpan()
		if ok != tc.span {
			t.Errorf("%s: span %v, want %v", tc.src, ok, tc.span)
		}
		if ok {
			if got, want := d.src[s:e], appendJSONFields(nil, &d); !bytes.Equal(got, want) {
				t.Errorf("%s: span %q, members %q", tc.src, got, want)
			}
		}
	}
}

// FuzzFieldSpan: whenever the span is taken, it is byte for byte what the
// member-by-member rendering writes.
func FuzzFieldSpan(f *testing.F) {
	f.Add([]byte(`{"k":"v","n":5,"message":"m"}`))
	f.Add([]byte(`{"k":"v","message":"m","n":5}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		d := (&record{src: src, undecoded: true}).decoded(nil)
		if s, e, ok := d.fieldSpan(); ok {
			if got, want := d.src[s:e], appendJSONFields(nil, &d); !bytes.Equal(got, want) {
				t.Fatalf("%q: span %q, members %q", src, got, want)
			}
		}
	})
}

// jsonBothWays renders src as a JSON line from the undecoded event (the
// flat fast path where it applies) and from the decoded record, and
// reports whether the fast path took the event.
func jsonBothWays(src []byte) (fast, long []byte, took bool) {
	u := record{src: src, undecoded: true, name: "n", t: fixedClock()}
	fast = appendJSONLine(nil, &u, nil)
	_, _, took = flatEvent(src)
	d := u.decoded(nil)
	long = appendJSONLine(nil, &d, nil)
	return fast, long, took
}

func TestFlatEventJSONLine(t *testing.T) {
	const head = `{"time":"2026-11-23T00:01:12.593478Z","level":"DEBUG","logger":"n","message":"`
	for _, tc := range []struct {
		src, want string // want after head
		fast      bool
	}{
		{`{"key":"value","n":5,"ok":true,"message":"Something odd"}` + "\n", `Something odd","fields":{"key":"value","n":5,"ok":true}}`, true},
		{`{"message":"only"}` + "\n", `only"}`, true},
		{`{"k e=":"a]\"b\\","message":"m\n"}`, `m\n","fields":{"k e=":"a]\"b\\"}}`, true},
		{`{"k":"v"}`, `","fields":{"k":"v"}}`, true},
		{`{}`, `"}`, true},
		{`{"message":5,"k":null}`, `","fields":{"message":5,"k":null}}`, true},
		{`{"o":{"a":1},"message":"m"}`, `m","fields":{"o":{"a":1}}}`, false},
		{`{"message":"a","message":"b"}`, `b"}`, false},
		{`{"message":"a","k":1}`, `a","fields":{"k":1}}`, false},
		{`{ "k":1}`, `","fields":{"k":1}}`, false},
		{`{"k":1} x`, `{\"k\":1} x"}`, false},
		{`{"k":tr ue}`, `{\"k\":tr ue}"}`, false},
	} {
		fast, long, took := jsonBothWays([]byte(tc.src))
		if want := head + tc.want + "\n"; string(long) != want {
			t.Errorf("%s: long way %s, want %s", tc.src, long, want)
		}
		if !bytes.Equal(fast, long) {
			t.Errorf("%s: fast path %s, long way %s", tc.src, fast, long)
		}
		if took != tc.fast {
			t.Errorf("%s: fast path took it = %v, want %v", tc.src, took, tc.fast)
		}
	}
}

// FuzzFlatEvent: whatever the bytes, the JSON line from the flat fast
// path is the one the long way writes.
func FuzzFlatEvent(f *testing.F) {
	for _, s := range []string{
		`{"key":"value","n":5,"ok":true,"message":"Something odd"}` + "\n",
		`{"k":"a\"b","message":"x"}`, `{"o":{"a":1},"message":"m"}`, `{}`, `{"message":"m","k":1}`,
		`{"message":5}`, `{"":1}`, `{"k":1,}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fast, long, _ := jsonBothWays(src)
		if !bytes.Equal(fast, long) {
			t.Fatalf("%q: fast path %s, long way %s", src, fast, long)
		}
	})
}
