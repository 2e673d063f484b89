package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// defaultSection is the section whose keys every other section inherits.
const defaultSection = "DEFAULT"

// rawSection is one section header of one file, with its keys in file order.
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
	return strings.TrimRightFunc(strings.Join(k.lines, "\n"), unicode.IsSpace)
}

// parse reads INI text with Python configparser's rules (strict mode, no inline
// comments, empty lines allowed inside values). name is used in errors only.
func parse(name string, r io.Reader) ([]*rawSection, error) {
	br := bufio.NewReader(r)
	var (
		out     []*rawSection
		cur     *rawSection
		opt     *rawKey
		indent  = int(^uint(0) >> 1)
		secLine = map[string]int{}
	)
	synErr := func(lineno int, format string, args ...any) error {
		return fmt.Errorf("config: %s:%d: %s: %w", name, lineno, fmt.Sprintf(format, args...), ErrSyntax)
	}
	for lineno := 1; ; lineno++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config: read %s: %w", name, err)
		}
		if line == "" && err != nil {
			break
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if lineno == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		stripped := strings.TrimSpace(line)
		if stripped == "" || stripped[0] == '#' || stripped[0] == ';' {
			// A blank line may belong to a multi-line value; a comment never does.
			if stripped == "" && opt != nil {
				opt.lines = append(opt.lines, "")
			}
			if err != nil {
				break
			}
			continue
		}
		ind := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
		switch {
		case opt != nil && ind > indent:
			opt.lines = append(opt.lines, stripped)
		case stripped[0] == '[' && strings.LastIndexByte(stripped, ']') >= 2:
			indent = ind
			secName := stripped[1:strings.LastIndexByte(stripped, ']')]
			if first, dup := secLine[secName]; dup {
				return nil, synErr(lineno, "section [%s] given twice in one file (first at line %d)", secName, first)
			}
			secLine[secName] = lineno
			cur = &rawSection{name: secName, line: lineno, seen: map[string]int{}}
			out = append(out, cur)
			opt = nil
		case cur == nil:
			return nil, synErr(lineno, "%q is outside of any section (add a [section] header above it)", stripped)
		default:
			indent = ind
			i := strings.IndexAny(stripped, "=:")
			if i < 0 {
				return nil, synErr(lineno, "in section [%s]: %q is not \"key = value\", a [section] header or a comment", cur.name, stripped)
			}
			key := strings.ToLower(strings.TrimRightFunc(stripped[:i], unicode.IsSpace))
			if key == "" {
				return nil, synErr(lineno, "in section [%s]: empty key name in %q", cur.name, stripped)
			}
			if first, dup := cur.seen[key]; dup {
				return nil, synErr(lineno, "in section [%s]: duplicate key %q (first at line %d)", cur.name, key, first)
			}
			cur.seen[key] = lineno
			opt = &rawKey{name: key, line: lineno, lines: []string{strings.TrimSpace(stripped[i+1:])}}
			cur.keys = append(cur.keys, opt)
		}
		if err != nil {
			break
		}
	}
	return out, nil
}
