package pdict

import (
	"encoding/json"
	"errors"
	"maps"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the file decoder: it must return an
// error or a state, never panic; a state it accepts must survive a
// compaction round trip; the valid prefix it reports must decode alone.
func FuzzDecode(f *testing.F) {
	snap, _ := encodeSnapshot(map[string]json.RawMessage{"a": json.RawMessage(`{"x":[1,2]}`), "b\n": json.RawMessage(`"\u0000"`)})
	del, _ := encodeRecord(record{Del: []string{"a"}})
	f.Add(snap)
	f.Add(append(snap, del...))
	f.Add(append(snap, del[:5]...))
	f.Add([]byte(header))
	f.Add([]byte(header + "00000000 {}\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		state := map[string]json.RawMessage{}
		dec, err := decodeFile(data, state)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if dec.used > len(data) || (!dec.torn && dec.used != len(data)) {
			t.Fatalf("used %d of %d bytes, torn %v", dec.used, len(data), dec.torn)
		}
		again := map[string]json.RawMessage{}
		if _, err := decodeFile(data[:dec.used], again); err != nil || !maps.EqualFunc(state, again, rawEqual) {
			t.Fatalf("valid prefix decodes differently: %v", err)
		}
		out, err := encodeSnapshot(state)
		if err != nil {
			t.Fatalf("accepted state does not encode: %v", err)
		}
		back := map[string]json.RawMessage{}
		if _, err := decodeFile(out, back); err != nil || len(back) != len(state) {
			t.Fatalf("snapshot round trip: %v, %d keys of %d", err, len(back), len(state))
		}
	})
}

// rawEqual compares two JSON values by their decoded form.
func rawEqual(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && jsonString(x) == jsonString(y)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
