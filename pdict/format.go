package pdict

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"sort"
)

// The file format is a text log:
//
//	pdict 1\n
//	<crc32c of payload, 8 lowercase hex digits> <payload JSON>\n
//	...
//
// Each payload is one committed write: {"del":[keys...],"set":{key:value,...}}.
// Deletions are applied before sets. encoding/json never emits a raw newline,
// so every record is exactly one line, written with a single write call.

// header is the first line of every pdict file.
const header = "pdict 1\n"

// snapshotChunk is how many keys a compacted file puts in one record line.
const snapshotChunk = 1000

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is matched (errors.Is) by every *CorruptError.
var ErrCorrupt = errors.New("pdict: corrupt file")

// CorruptError reports a file that is not a valid pdict log. Line is 1-based;
// Offset is the byte offset of the start of that line.
type CorruptError struct {
	// Path is the path of the file, as given to Open.
	Path string
	// Line is the 1-based number of the bad line; the header is line 1.
	Line int
	// Offset is the byte offset of the start of Line from the start of
	// the file.
	Offset int64
	// Reason says what is wrong with the line, such as a checksum
	// mismatch.
	Reason string
}

// Error names the file, the line, the byte offset and what was wrong.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("pdict: corrupt file %s: line %d (byte offset %d): %s", e.Path, e.Line, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// record is one committed write.
type record struct {
	Del []string                   `json:"del,omitempty"`
	Set map[string]json.RawMessage `json:"set,omitempty"`
}

// encodeRecord returns the complete line for r, newline included. The
// values are already compact, valid JSON (they come from json.Marshal or from
// a checked file), so they are copied as they are: no re-validation.
func encodeRecord(r record) ([]byte, error) {
	payload := []byte{'{'}
	if len(r.Del) > 0 {
		payload = append(payload, `"del":[`...)
		for i, k := range r.Del {
			if i > 0 {
				payload = append(payload, ',')
			}
			payload = appendString(payload, k)
		}
		payload = append(payload, ']')
	}
	if len(r.Set) > 0 {
		if len(r.Del) > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, `"set":{`...)
		keys := slices.Sorted(maps.Keys(r.Set))
		for i, k := range keys {
			if i > 0 {
				payload = append(payload, ',')
			}
			payload = appendString(payload, k)
			payload = append(payload, ':')
			payload = append(payload, r.Set[k]...)
		}
		payload = append(payload, '}')
	}
	payload = append(payload, '}')
	line := make([]byte, 0, len(payload)+10)
	line = fmt.Appendf(line, "%08x ", crc32.Checksum(payload, crcTable))
	line = append(line, payload...)
	return append(line, '\n'), nil
}

// appendString appends s as a JSON string. Keys are checked to be valid
// UTF-8 before they get here, so json.Marshal cannot alter them.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// encodeSnapshot returns a complete file (header included) holding state.
func encodeSnapshot(state map[string]json.RawMessage) ([]byte, error) {
	keys := make([]string, 0, len(state))
	for k := range state {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []byte(header)
	for start := 0; start < len(keys); start += snapshotChunk {
		end := min(start+snapshotChunk, len(keys))
		r := record{Set: make(map[string]json.RawMessage, end-start)}
		for _, k := range keys[start:end] {
			r.Set[k] = state[k]
		}
		line, err := encodeRecord(r)
		if err != nil {
			return nil, err
		}
		out = append(out, line...)
	}
	return out, nil
}

// decoded is what decodeRecords found in a chunk of the log.
type decoded struct {
	used  int  // bytes of complete, valid records (a torn tail is not counted)
	lines int  // number of records in used
	torn  bool // a final fragment without newline follows used
}

// decodeRecords parses the record lines in data, which starts at file offset
// base and at line number line. It calls apply for each valid record, in order.
// A final fragment without a newline is an interrupted append (its write never
// returned), reported as torn and not applied. Any complete line that does not
// parse or fails its checksum is a *CorruptError (Path left empty).
func decodeRecords(data []byte, base int64, line int, apply func(record)) (decoded, error) {
	var d decoded
	for len(data) > d.used {
		rest := data[d.used:]
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			d.torn = true
			return d, nil
		}
		r, reason := parseLine(rest[:nl])
		if reason != "" {
			return d, &CorruptError{Line: line + d.lines, Offset: base + int64(d.used), Reason: reason}
		}
		apply(r)
		d.used += nl + 1
		d.lines++
	}
	return d, nil
}

// parseLine checks and decodes one record line (without its newline). It
// returns a non-empty reason when the line is invalid.
func parseLine(l []byte) (record, string) {
	var r record
	if len(l) < 10 || l[8] != ' ' {
		return r, fmt.Sprintf("malformed record %q", clip(l))
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], l[:8]); err != nil {
		return r, fmt.Sprintf("bad checksum field %q", clip(l[:8]))
	}
	want := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	payload := l[9:]
	if got := crc32.Checksum(payload, crcTable); got != want {
		return r, fmt.Sprintf("checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Sprintf("bad record JSON: %v", err)
	}
	if dec.More() {
		return r, "trailing data after record JSON"
	}
	return r, ""
}

// clip shortens b for use in an error message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// decodeFile parses a whole file into state. A zero-length file is an empty
// dictionary. It returns the decode result for the part after the header
// (used counts from the start of the file).
func decodeFile(data []byte, state map[string]json.RawMessage) (decoded, error) {
	if len(data) == 0 {
		return decoded{}, nil
	}
	if !bytes.HasPrefix(data, []byte(header)) {
		first, _, _ := bytes.Cut(data, []byte("\n"))
		return decoded{}, &CorruptError{Line: 1, Offset: 0, Reason: fmt.Sprintf("not a pdict file: header is %q, want %q", clip(first), header[:len(header)-1])}
	}
	d, err := decodeRecords(data[len(header):], int64(len(header)), 2, func(r record) { applyRecord(state, r) })
	d.used += len(header)
	d.lines++
	return d, err
}

// applyRecord applies r to state: deletions first, then sets.
func applyRecord(state map[string]json.RawMessage, r record) {
	for _, k := range r.Del {
		delete(state, k)
	}
	for k, v := range r.Set {
		state[k] = v
	}
}
