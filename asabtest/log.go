package asabtest

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// LogLine is one line of a JSON log file ([logging:file] format=json).
type LogLine struct {
	// Time is when the line was logged, in UTC.
	Time time.Time `json:"time"`
	// Level is the upper-case level name, such as "INFO" or "WARNING".
	Level string `json:"level"`
	// Logger is the name of the logger that wrote the line.
	Logger string `json:"logger"`
	// Message is the text of the log message.
	Message string `json:"message"`
	// Fields holds the line's structured fields as encoding/json decodes
	// them (numbers are float64); it is nil when the line has none.
	Fields map[string]any `json:"fields"`
}

// JSONLogConfig is configuration text that logs to the file path as JSON
// lines and turns the console off; put it before a test's own sections.
func JSONLogConfig(path string) string {
	return "[logging:file]\npath=" + path + "\nformat=json\n[logging:console]\nenabled=false\n"
}

// ReadLog returns the lines of a JSON log file that logger wrote (every
// line when logger is ""). Read it after the application has ended: the
// log is flushed then. A missing file or a line that is not JSON fails the
// test.
func ReadLog(t testing.TB, path, logger string) []LogLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("asabtest: %v", err)
	}
	defer f.Close()
	var out []LogLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l LogLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("asabtest: %s: log line %q: %v", path, sc.Text(), err)
		}
		if logger == "" || l.Logger == logger {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("asabtest: reading %s: %v", path, err)
	}
	return out
}
