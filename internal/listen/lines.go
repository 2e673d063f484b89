package listen

import (
	"fmt"
	"strings"
)

// Line is one address of a multi-line listen value.
type Line struct {
	Addr
	// N numbers the address lines from 1, skipping blank and comment lines.
	N int
	// Text is the line as parsed: trimmed, without its comment.
	Text string
}

// ParseLines reads a multi-line listen value, one address per line (see
// Parse). Blank lines and lines starting with "#" or ";" are skipped, and
// " #" or " ;" starts a comment at the end of a line. An error names the
// line ("line N: ...", N counting address lines only) and wraps ErrBad.
// A value without any address gives no lines and no error.
func ParseLines(text string, opt Options) ([]Line, error) {
	var out []Line
	for _, raw := range strings.Split(text, "\n") {
		line := StripComment(raw)
		if line == "" {
			continue
		}
		a, err := Parse(line, opt)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(out)+1, err)
		}
		out = append(out, Line{Addr: a, N: len(out) + 1, Text: line})
	}
	return out, nil
}

// StripComment trims a line and removes a whole-line comment ("#" or ";"
// first) or a trailing one (" #" or " ;", after a space or tab). A "#" or
// ";" inside a word, as in "/tmp/a#b.sock", is kept.
func StripComment(line string) string {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
		return ""
	}
	for i := 1; i < len(line); i++ {
		if (line[i] == '#' || line[i] == ';') && (line[i-1] == ' ' || line[i-1] == '\t') {
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}
