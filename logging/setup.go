package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
)

// Options are the command-line switches that affect logging, plus hooks for
// tests and embedding.
type Options struct {
	Verbose bool   // -v: threshold DEBUG
	LogFile string // -l FILE: log to this file (overrides [logging:file] path)
	Syslog  bool   // -s: log to syslog (as [logging:syslog] enabled=true)
	AppName string // syslog APP-NAME; default [logging] app_name, then the program name

	// Stderr replaces os.Stderr as the console output (tests, embedding).
	// Colour is used only when it is a terminal.
	Stderr io.Writer
	// Clock replaces time.Now for every line's time stamp.
	Clock func() time.Time
	// Hostname replaces os.Hostname() in syslog lines.
	Hostname string
}

// Setup builds a pipeline from cfg and o, makes it current (every Logger,
// including ones created earlier, now follows it), and redirects the
// standard library's log and slog.Default into it. A previous current
// pipeline is replaced but not closed: that is its owner's job.
//
// Configuration (defaults in brackets): [logging] level (NOTICE), verbose
// (false), levels (per-logger "name LEVEL" lines), sd_id (sd), app_name,
// flush_timeout (1s: how long Close waits for the output queues);
// [logging:console] enabled (auto: on when stderr is a terminal or nothing
// else is configured), format (text|json); [logging:file] path, format,
// backup_count (3), backup_max_bytes (0: off), rotate_every (off),
// flush_interval (1s; 0 writes lines as they come; a line at ERROR or
// above is written without waiting);
// [logging:syslog] enabled (false), address (/dev/log), format (3|5|m),
// facility (local0), framing (octet-counting for tcp, newline for
// unix-connect), queue_size (1000); [logging:journal] enabled (false).
// Every bad value is an error naming the section, key and value.
func Setup(cfg *config.Config, o Options) (*Pipeline, error) {
	if cfg == nil {
		cfg = config.New()
	}
	s := &setup{cfg: cfg, o: o}
	p, err := s.build()
	if err != nil {
		for _, out := range s.built {
			_ = out.close(context.Background()) // nothing is queued yet
		}
		return nil, err
	}
	prev := makeCurrent(p)
	p.std = redirectStd(prev.std)
	prev.std = nil
	return p, nil
}

// setup carries the state of one Setup call. Its readers return the
// default for a bad value and keep the first error in err, which build
// checks as it goes.
type setup struct {
	cfg   *config.Config
	o     Options
	built []*output
	err   error
}

// fail records err unless an earlier error is recorded.
func (s *setup) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// str returns a config value, def when the key is missing or empty.
func (s *setup) str(section, key, def string) string {
	v, err := s.cfg.Get(section, key)
	if err != nil && !errors.Is(err, config.ErrNotFound) {
		s.fail(fmt.Errorf("logging: %w", err))
	}
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

// boolean returns a config bool; missing or empty gives def.
func (s *setup) boolean(section, key string, def bool) bool {
	v := s.str(section, key, "")
	if v == "" {
		return def
	}
	b, err := config.ParseBool(v)
	if err != nil {
		s.fail(fmt.Errorf("logging: [%s] %s = %q: not a boolean", section, key, v))
	}
	return b
}

// duration returns a config duration, def when missing or empty; want
// says what a bad value should have been.
func (s *setup) duration(section, key, def, want string) time.Duration {
	v := s.str(section, key, def)
	d, err := config.ParseDuration(v)
	if err != nil || d < 0 {
		s.fail(fmt.Errorf("logging: [%s] %s = %q: want %s", section, key, v, want))
	}
	return d
}

func (s *setup) build() (*Pipeline, error) {
	root, err := ParseLevel(s.str("logging", "level", "NOTICE"))
	if err != nil {
		s.fail(fmt.Errorf("logging: [logging] level: %w", err))
	}
	if s.boolean("logging", "verbose", false) || s.o.Verbose {
		root = LevelDebug
	}
	rules, err := parseLevelRules(s.str("logging", "levels", ""))
	if err != nil {
		s.fail(err)
	}
	clock := s.o.Clock
	if clock == nil {
		clock = time.Now
	}
	p := newPipeline(root, rules, clock)
	p.flushTimeout = s.duration("logging", "flush_timeout", "1s", "a duration such as 1s or 0.5")
	sdID := s.str("logging", "sd_id", "sd")
	if !validSDName(sdID) {
		s.fail(fmt.Errorf("logging: [logging] sd_id = %q: not a valid RFC 5424 SD-ID (1-32 printable ASCII, no space, =, ] or \")", sdID))
	}
	for _, add := range []func(*Pipeline, string){s.addFile, s.addSyslog, s.addJournal, s.addConsole} {
		if s.err != nil {
			return nil, s.err
		}
		add(p, sdID)
	}
	return p, s.err
}

// parseLevelRules parses [logging] levels: one "logger.name LEVEL" per line,
// blank lines and lines starting with # or ; skipped.
func parseLevelRules(text string) ([]levelRule, error) {
	var rules []levelRule
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("logging: [logging] levels line %d %q: want \"logger.name LEVEL\"", i+1, line)
		}
		lv, err := ParseLevel(f[1])
		if err != nil {
			return nil, fmt.Errorf("logging: [logging] levels line %d %q: %w", i+1, line, err)
		}
		rules = append(rules, levelRule{name: f[0], level: lv})
	}
	return rules, nil
}

func (s *setup) stderr() io.Writer {
	if s.o.Stderr != nil {
		return s.o.Stderr
	}
	return os.Stderr
}

func (s *setup) add(p *Pipeline, o *output) {
	s.built = append(s.built, o)
	p.outputs = append(p.outputs, o)
}

func (s *setup) addConsole(p *Pipeline, sdID string) {
	const sec = "logging:console"
	w := s.stderr()
	tty := isTerminal(w)
	if !s.boolean(sec, "enabled", tty || len(p.outputs) == 0) {
		return
	}
	f, err := parseLineFormat(sec, s.str(sec, "format", ""))
	if s.fail(err); s.err == nil {
		s.add(p, newStreamOutput(w, f, sdID, tty, consoleQueue))
	}
}

func (s *setup) addFile(p *Pipeline, sdID string) {
	const sec = "logging:file"
	path := s.o.LogFile
	if path == "" {
		path = s.str(sec, "path", "")
	}
	if path == "" {
		return
	}
	fs := &fileSink{path: filepath.Clean(path), clock: p.clock, errw: s.stderr()}
	format, err := parseLineFormat(sec, s.str(sec, "format", ""))
	s.fail(err)
	if fs.backups, err = s.cfg.GetIntOr(sec, "backup_count", 3); err != nil {
		s.fail(fmt.Errorf("logging: %w", err))
	} else if fs.backups < 0 {
		s.fail(fmt.Errorf("logging: [%s] backup_count = %d: must not be negative", sec, fs.backups))
	}
	mb := s.str(sec, "backup_max_bytes", "0")
	if fs.maxBytes, err = parseBytes(mb); err != nil {
		s.fail(fmt.Errorf("logging: [%s] backup_max_bytes = %q: %w", sec, mb, err))
	}
	if every := s.str(sec, "rotate_every", ""); every != "" {
		if fs.every, err = config.ParseDuration(every); err != nil || fs.every <= 0 {
			s.fail(fmt.Errorf("logging: [%s] rotate_every = %q: want a positive duration such as 1d or 3600", sec, every))
		}
	}
	interval := s.duration(sec, "flush_interval", "1s", "a duration such as 1s, 0.2 or 0 (write every line at once)")
	if fs.backups == 0 && (fs.maxBytes > 0 || fs.every > 0) {
		s.fail(fmt.Errorf("logging: [%s]: backup_max_bytes/rotate_every need backup_count > 0", sec))
	}
	if s.err != nil {
		return
	}
	if _, err := newFileSink(fs); err != nil {
		s.fail(err)
		return
	}
	o := newOutput("file:"+fs.path, renderer{format: format, sdID: sdID}, fs, fileQueue)
	o.interval, o.holdMax = interval, fileBufSize
	s.add(p, o)
}

// Queue lengths of the outputs, in lines (besides queueBytes); syslog's is
// [logging:syslog] queue_size.
const (
	consoleQueue = 10000
	fileQueue    = 10000
	journalQueue = 10000
)

// parseBytes parses a size: a number of bytes, optionally with a K, M or G
// suffix (powers of 1024).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, s = 1<<10, s[:n-1]
		case 'm', 'M':
			mult, s = 1<<20, s[:n-1]
		case 'g', 'G':
			mult, s = 1<<30, s[:n-1]
		}
	}
	var v int64
	if _, err := fmt.Sscan(s, &v); err != nil || v < 0 || fmt.Sprint(v) != strings.TrimSpace(s) {
		return 0, errors.New("want a non-negative number of bytes, optionally with K, M or G")
	}
	return v * mult, nil
}
