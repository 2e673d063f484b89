package logging

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenEvents logs the golden cases: fields, no fields, escaping in keys,
// values and message, non-string values, no message, an empty logger name.
func goldenEvents() {
	m := Get("my.module")
	m.Warning().Str("key", "value").Int("n", 5).Msg("Something odd")
	m.Notice().Msg("A message with no structured data")
	m.Error().Str("q", `say "hi" \ [x]`).Str("nl", "line1\nline2\ttab").Str(`k e=y]"`, "v").
		Msg(`msg with "quotes", ] and \ backslash`)
	Get("asab.web").Info().Bool("ok", true).Float64("ratio", 0.25).Err(errors.New("boom")).
		Interface("obj", map[string]any{"a": []int{1, 2}, "b]": `"x"`}).Str("utf", "žluťoučký kůň").Send()
	Get("").Critical().Str("a", "b").Msg("no logger name")
	m.Debug().Msg("multi\nline message ✓")
}

func TestGolden(t *testing.T) {
	hdr5, _ := newSyslogHeader("5", 16, "host.example", "myapp", 1234, "sd")
	hdr3, _ := newSyslogHeader("3", 16, "host.example", "myapp", 1234, "sd")
	hdrm, _ := newSyslogHeader("m", 3, "host.example", "my app", 1234, "sd")
	formats := map[string]renderer{
		"console": {format: formatText, sdID: "sd"},
		"colour":  {format: formatText, sdID: "sd", colour: true},
		"json":    {format: formatJSON},
		"rfc5424": {format: formatSyslog, hdr: hdr5},
		"rfc3164": {format: formatSyslog, hdr: hdr3},
		"macos":   {format: formatSyslog, hdr: hdrm},
	}
	for name, f := range formats {
		t.Run(name, func(t *testing.T) {
			p := newPipeline(LevelDebug, nil, fixedClock)
			c := capture(p, f)
			use(t, p)
			goldenEvents()
			lines := c.get(p)
			if f.format == formatSyslog { // a message without framing
				for i := range lines {
					lines[i] += "\n"
				}
			}
			got := strings.Join(lines, "")
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from golden:\n got:\n%s\nwant:\n%s", name, got, want)
			}
		})
	}
}
