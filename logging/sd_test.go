package logging

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// sdParam is one parsed SD-PARAM.
type sdParam struct{ name, value string }

// parseSDElements parses RFC 5424 STRUCTURED-DATA at the start of s strictly
// (section 6.3): it returns the elements, the rest of s, or an error.
func parseSDElements(s string) (map[string][]sdParam, string, error) {
	els := map[string][]sdParam{}
	if strings.HasPrefix(s, "-") {
		return els, s[1:], nil
	}
	if !strings.HasPrefix(s, "[") {
		return nil, s, fmt.Errorf("no SD at %q", s)
	}
	for strings.HasPrefix(s, "[") {
		s = s[1:]
		i := strings.IndexAny(s, " ]")
		if i < 0 {
			return nil, s, fmt.Errorf("unterminated SD-ELEMENT")
		}
		id := s[:i]
		if !validSDName(id) {
			return nil, s, fmt.Errorf("invalid SD-ID %q", id)
		}
		s = s[i:]
		var params []sdParam
		for strings.HasPrefix(s, " ") {
			s = s[1:]
			eq := strings.IndexByte(s, '=')
			if eq < 0 || !validSDName(s[:eq]) {
				return nil, s, fmt.Errorf("invalid PARAM-NAME at %q", s)
			}
			name := s[:eq]
			s = s[eq+1:]
			if !strings.HasPrefix(s, `"`) {
				return nil, s, fmt.Errorf("PARAM-VALUE of %s not quoted", name)
			}
			var v strings.Builder
			j := 1
			for ; j < len(s) && s[j] != '"'; j++ {
				switch c := s[j]; {
				case c == '\\' && j+1 < len(s) && strings.IndexByte(`"\]`, s[j+1]) >= 0:
					v.WriteByte(s[j+1])
					j++
				case c == ']':
					return nil, s, fmt.Errorf("unescaped ] in PARAM-VALUE of %s", name)
				default:
					v.WriteByte(c)
				}
			}
			if j >= len(s) {
				return nil, s, fmt.Errorf("unterminated PARAM-VALUE of %s", name)
			}
			if !utf8.ValidString(v.String()) {
				return nil, s, fmt.Errorf("PARAM-VALUE of %s not UTF-8", name)
			}
			params = append(params, sdParam{name, v.String()})
			s = s[j+1:]
		}
		if !strings.HasPrefix(s, "]") {
			return nil, s, fmt.Errorf("SD-ELEMENT %s not closed at %q", id, s)
		}
		s = s[1:]
		els[id] = params
	}
	return els, s, nil
}

// TestRFC5424GoldenIsValid checks every golden RFC 5424 line against the
// RFC's grammar: header fields, UTC timestamp with Z, valid SD, values that
// unescape back to what was logged.
func TestRFC5424GoldenIsValid(t *testing.T) {
	f, err := os.Open("testdata/rfc5424.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "<") {
			continue // continuation of a multi-line message
		}
		n++
		h := strings.SplitN(line, " ", 7)
		if len(h) != 7 || !strings.HasSuffix(h[0], ">1") || !strings.HasSuffix(h[1], "Z") || len(h[1]) != len("2026-11-23T00:01:12.593478Z") {
			t.Fatalf("bad header in %q", line)
		}
		for _, fld := range h[2:6] {
			if fld == "" || len(fld) > 255 {
				t.Fatalf("bad header field %q in %q", fld, line)
			}
		}
		els, rest, err := parseSDElements(h[6])
		if err != nil {
			t.Fatalf("%v in %q", err, line)
		}
		if _, ok := els["log"]; !ok {
			t.Errorf("no [log] element in %q", line)
		}
		if rest != "" && !strings.HasPrefix(rest, " ") {
			t.Errorf("MSG not separated by a space in %q", line)
		}
		if q, ok := els["sd"]; ok && q[0].name == "q" && q[0].value != `say "hi" \ [x]` {
			t.Errorf("q unescapes to %q", q[0].value)
		}
	}
	if n != 6 {
		t.Fatalf("checked %d lines, want 6", n)
	}
}

// FuzzSDEscaping logs a field with an arbitrary key and value and checks the
// rendered SD parses strictly, and that a valid UTF-8 value without control
// characters comes back unchanged.
func FuzzSDEscaping(f *testing.F) {
	for _, s := range []string{"plain", `say "hi" \ [x]`, "]]]", `\\\"`, "a\nb", "žluť", "\xff", "k e=y"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		var enc bytes.Buffer
		zl := zerolog.New(&enc)
		zl.Log().Str(key, value).Msg("m") // encoded exactly as a Logger's event is
		var out []byte
		r := record{src: enc.Bytes()}
		r.msg, r.msgRaw, r.msgPlain, r.fields = parseEvent(enc.Bytes(), nil)
		if len(r.fields) != 1 {
			t.Fatalf("parsed %d fields from %s", len(r.fields), enc.String())
		}
		out = appendSD(out, "sd", &r)
		els, rest, err := parseSDElements(string(out))
		if err != nil || rest != "" {
			t.Fatalf("%v (rest %q) in %q", err, rest, out)
		}
		p := els["sd"]
		if len(p) != 1 {
			t.Fatalf("got %v from %q", p, out)
		}
		clean := utf8.ValidString(value) && !strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f })
		if clean && p[0].value != value {
			t.Fatalf("value %q came back as %q via %q", value, p[0].value, out)
		}
	})
}
