package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// defaultSection is the section whose keys every other section inherits.
const defaultSection = "DEFAULT"

// MaxFileSize is the largest configuration file a load accepts (16 MiB), and
// MaxLineSize the longest line (1 MiB). Larger input is an error naming the
// file (and line), so that `-c /dev/zero` fails at once instead of exhausting
// memory.
const (
	MaxFileSize = 16 << 20
	MaxLineSize = 1 << 20
)

// ErrTooLarge is wrapped by load errors for a file over [MaxFileSize] or a
// line over [MaxLineSize].
var ErrTooLarge = errors.New("too large")

// rawSection is one section header of one file, with its keys in file order.
// A [DEFAULT] given twice in one file is one rawSection (Python merges it).
type rawSection struct {
	name string
	line int
	keys []*rawKey
	seen map[string]int // lowercased key -> line, for duplicate detection
}

// rawKey is one key of one file; lines holds the first line's value and the
// continuation lines (an empty string for a blank line inside the value).
type rawKey struct {
	name  string
	line  int
	lines []string
}

func (k *rawKey) value() string {
	return strings.TrimRightFunc(strings.Join(k.lines, "\n"), isSpace)
}

// readAll reads at most MaxFileSize bytes of r; more is an error naming the
// file.
func readAll(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("config: %s: file is larger than %d MiB: %w", name, MaxFileSize>>20, ErrTooLarge)
	}
	return data, nil
}

// nextLine splits the first line off data. As Python's universal newlines,
// "\r\n", "\r" and "\n" all end a line.
func nextLine(data []byte) (line, rest []byte) {
	i := bytes.IndexAny(data, "\r\n")
	if i < 0 {
		return data, nil
	}
	if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
		return data[:i], data[i+2:]
	}
	return data[:i], data[i+1:]
}

// parse reads INI text with Python configparser's rules (strict mode, no inline
// comments, empty lines allowed inside values, universal newlines, UTF-8 only,
// indentation counted in characters). name is used in errors only.
func parse(name string, r io.Reader) ([]*rawSection, error) {
	data, err := readAll(name, r)
	if err != nil {
		return nil, err
	}
	var (
		out     []*rawSection
		cur     *rawSection
		opt     *rawKey
		indent  = int(^uint(0) >> 1)
		secLine = map[string]int{}
		secs    = map[string]*rawSection{}
	)
	synErr := func(lineno int, format string, args ...any) error {
		return fmt.Errorf("config: %s:%d: %s: %w", name, lineno, fmt.Sprintf(format, args...), ErrSyntax)
	}
	for lineno := 1; len(data) > 0; lineno++ {
		var b []byte
		b, data = nextLine(data)
		if len(b) > MaxLineSize {
			return nil, fmt.Errorf("config: %s:%d: line is longer than %d MiB: %w", name, lineno, MaxLineSize>>20, ErrTooLarge)
		}
		if !utf8.Valid(b) {
			return nil, synErr(lineno, "not valid UTF-8 (byte %d of the line)", invalidUTF8At(b)+1)
		}
		line := string(b)
		if lineno == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		stripped := strings.TrimFunc(line, isSpace)
		if stripped == "" || stripped[0] == '#' || stripped[0] == ';' {
			// A blank line may belong to a multi-line value; a comment never does.
			if stripped == "" && opt != nil {
				opt.lines = append(opt.lines, "")
			}
			continue
		}
		ind := utf8.RuneCountInString(line) - utf8.RuneCountInString(strings.TrimLeftFunc(line, isSpace))
		switch {
		case opt != nil && ind > indent:
			opt.lines = append(opt.lines, stripped)
		case stripped[0] == '[' && strings.LastIndexByte(stripped, ']') >= 2:
			indent = ind
			secName := stripped[1:strings.LastIndexByte(stripped, ']')]
			opt = nil
			if secName == defaultSection && secs[secName] != nil {
				cur = secs[secName] // Python merges a repeated [DEFAULT]
				continue
			}
			if first, dup := secLine[secName]; dup {
				return nil, synErr(lineno, "section [%s] given twice in one file (first at line %d)", secName, first)
			}
			secLine[secName] = lineno
			cur = &rawSection{name: secName, line: lineno, seen: map[string]int{}}
			secs[secName] = cur
			out = append(out, cur)
		case cur == nil:
			return nil, synErr(lineno, "%q is outside of any section (add a [section] header above it)", stripped)
		default:
			indent = ind
			i := strings.IndexAny(stripped, "=:")
			if i < 0 {
				return nil, synErr(lineno, "in section [%s]: %q is not \"key = value\", a [section] header or a comment", cur.name, stripped)
			}
			key := lowerKey(strings.TrimRightFunc(stripped[:i], isSpace))
			if key == "" {
				return nil, synErr(lineno, "in section [%s]: empty key name in %q", cur.name, stripped)
			}
			if first, dup := cur.seen[key]; dup {
				return nil, synErr(lineno, "in section [%s]: duplicate key %q (first at line %d)", cur.name, key, first)
			}
			cur.seen[key] = lineno
			opt = &rawKey{name: key, line: lineno, lines: []string{strings.TrimFunc(stripped[i+1:], isSpace)}}
			cur.keys = append(cur.keys, opt)
		}
	}
	return out, nil
}

// invalidUTF8At returns the byte offset of the first invalid UTF-8 sequence
// in b.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
