package apptest

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// LogLine is one line of a JSON log file ([logging:file] format=json).
type LogLine struct {
	Time    time.Time      `json:"time"`
	Level   string         `json:"level"`
	Logger  string         `json:"logger"`
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields"`
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
		t.Fatalf("apptest: %v", err)
	}
	defer f.Close()
	var out []LogLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l LogLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("apptest: %s: log line %q: %v", path, sc.Text(), err)
		}
		if logger == "" || l.Logger == logger {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("apptest: reading %s: %v", path, err)
	}
	return out
}
