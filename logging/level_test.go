package logging

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/asabgo/asab/config"
)

func TestParseLevel(t *testing.T) {
	ok := map[string]Level{
		"DEBUG": LevelDebug, "debug": LevelDebug, " Info ": LevelInfo, "NOTICE": LevelNotice,
		"warning": LevelWarning, "WARN": LevelWarning, "Error": LevelError, "err": LevelError,
		"CRITICAL": LevelCritical, "crit": LevelCritical,
		"10": LevelDebug, "15": LevelInfo, "20": LevelInfo, "25": LevelNotice, "30": LevelWarning,
		"40": LevelError, "50": LevelCritical, "0": LevelDebug,
	}
	for s, want := range ok {
		got, err := ParseLevel(s)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "LOUD", "51", "-1", "1.5"} {
		if _, err := ParseLevel(s); err == nil || !strings.Contains(err.Error(), `"`+s+`"`) {
			t.Errorf("ParseLevel(%q): error %v should name the value", s, err)
		}
	}
	for l := LevelDebug; l <= LevelCritical; l++ {
		if back, err := ParseLevel(l.String()); err != nil || back != l {
			t.Errorf("round trip of %v: %v %v", l, back, err)
		}
	}
	if Level(9).String() != "LEVEL(9)" {
		t.Errorf("out of range level prints %q", Level(9).String())
	}
}

// setupText sets up a pipeline from the config text with console output
// into a buffer and returns the buffer; the pipeline is closed at cleanup.
func setupText(t *testing.T, text string, o Options) (*consoleBuffer, *Pipeline) {
	t.Helper()
	cfg := config.New()
	if err := cfg.LoadString("test.conf", text); err != nil {
		t.Fatal(err)
	}
	buf := &consoleBuffer{}
	o.Stderr, o.Clock = buf, fixedClock
	p, err := Setup(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	buf.p = p
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return buf, p
}

// consoleBuffer is a console output's writer whose String returns what
// the console delivered once the pipeline's queues are flushed.
type consoleBuffer struct {
	p  *Pipeline
	mu sync.Mutex
	b  bytes.Buffer
}

func (c *consoleBuffer) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(b)
}

func (c *consoleBuffer) String() string {
	c.p.Flush()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

func TestThresholds(t *testing.T) {
	early := Get("asab.web.al") // created before Setup: must follow it
	buf, _ := setupText(t, `
[logging]
level = WARNING
levels =
	# comment
	; another comment
	asab DEBUG
	asab.web ERROR
	asab.web.al INFO
	noisy CRITICAL
`, Options{})
	cases := []struct {
		name string
		lv   Level
		want bool
	}{
		{"other", LevelNotice, false}, {"other", LevelWarning, true},
		{"asab", LevelDebug, true},                                          // exact
		{"asab.pubsub", LevelDebug, true},                                   // prefix
		{"asab.web", LevelWarning, false}, {"asab.web.x", LevelError, true}, // longer prefix wins
		{"asab.web.al", LevelInfo, true}, {"asab.web.alx", LevelInfo, false}, // not a dotted prefix
		{"asabx", LevelNotice, false}, {"noisy.lib", LevelError, false},
	}
	for _, c := range cases {
		if got := Get(c.name).Enabled(c.lv); got != c.want {
			t.Errorf("Get(%q).Enabled(%v) = %v, want %v", c.name, c.lv, got, c.want)
		}
	}
	early.Info().Msg("early logger follows Setup")
	Get("other").Notice().Msg("hidden")
	if got := buf.String(); !strings.Contains(got, "INFO asab.web.al early logger follows Setup") || strings.Contains(got, "hidden") {
		t.Errorf("output:\n%s", got)
	}
}

func TestVerbose(t *testing.T) {
	for _, tc := range []struct {
		conf string
		o    Options
	}{{"[logging]\nverbose=yes\n", Options{}}, {"", Options{Verbose: true}}} {
		buf, _ := setupText(t, tc.conf+"[logging:x]\n", tc.o)
		Get("v").Debug().Msg("debug shown")
		if !strings.Contains(buf.String(), "DEBUG v debug shown") {
			t.Errorf("%q %+v: %q", tc.conf, tc.o, buf.String())
		}
	}
}

func TestDefaultPipelineAfterClose(t *testing.T) {
	l := Get("x")
	_, p := setupText(t, "[logging]\nlevel=DEBUG\n", Options{})
	if !l.Enabled(LevelDebug) {
		t.Fatal("DEBUG should pass after Setup with level=DEBUG")
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l.Enabled(LevelInfo) || !l.Enabled(LevelNotice) {
		t.Error("after Close the default threshold NOTICE should hold")
	}
}

func TestSetupErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"[logging]\nlevel=LOUD\n":                                                       `"LOUD"`,
		"[logging]\nverbose=perhaps\n":                                                  `verbose = "perhaps"`,
		"[logging]\nlevels=\n  a DEBUG\n  b\n":                                          `levels line 2 "b"`,
		"[logging]\nlevels=\n  a LOUD\n":                                                `"a LOUD"`,
		"[logging]\nsd_id=bad id\n":                                                     `sd_id = "bad id"`,
		"[logging:console]\nformat=xml\n":                                               `[logging:console] format = "xml"`,
		"[logging:file]\npath=" + dir + "/f.log\nbackup_max_bytes=lots\n":               `backup_max_bytes = "lots"`,
		"[logging:file]\npath=" + dir + "/f.log\nrotate_every=soon\n":                   `rotate_every = "soon"`,
		"[logging:file]\npath=" + dir + "/f.log\nbackup_count=0\nbackup_max_bytes=10\n": "need backup_count > 0",
		"[logging:file]\npath=" + dir + "/f.log\nflush_interval=soon\n":                 `flush_interval = "soon"`,
		"[logging:syslog]\nenabled=1\naddress=ftp://x\n":                                `unknown scheme "ftp"`,
		"[logging:syslog]\nenabled=1\nformat=7\n":                                       `format = "7"`,
		"[logging:syslog]\nenabled=1\nfacility=local9\n":                                `facility = "local9"`,
		"[logging:syslog]\nenabled=1\nframing=magic\n":                                  `framing = "magic"`,
		"[logging:syslog]\nenabled=1\nqueue_size=0\n":                                   `queue_size = "0"`,
		"[logging]\nlevel=${nowhere}\n":                                                 "nowhere",
	}
	before := current.Load()
	for conf, want := range cases {
		cfg := config.New()
		if err := cfg.LoadString("t.conf", conf); err != nil {
			t.Fatal(err)
		}
		_, err := Setup(cfg, Options{Stderr: &bytes.Buffer{}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", conf, err, want)
		}
	}
	if current.Load() != before {
		t.Error("a failed Setup must leave the current pipeline alone")
	}
}
