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

// The settings of the sections Setup reads, decoded by config.Decode; the
// doc tags are the Meaning column of docs/logging.md's key tables.
type (
	settings struct {
		Level        Level         `ini:"level" default:"NOTICE" doc:"root threshold (see Levels)"`
		Verbose      bool          `ini:"verbose" default:"false" doc:"threshold DEBUG, as -v"`
		Levels       string        `ini:"levels" doc:"per-logger thresholds, one name LEVEL per line"`
		SDID         string        `ini:"sd_id" default:"sd" doc:"SD-ID of the fields' element in text and syslog lines"`
		AppName      string        `ini:"app_name" doc:"APP-NAME / TAG in syslog lines, SYSLOG_IDENTIFIER in the journal"`
		FlushTimeout time.Duration `ini:"flush_timeout" default:"1s" min:"0" doc:"how long Close waits for the output queues at most"`
	}
	consoleSettings struct {
		// Enabled is a boolean, or empty for auto (config.Defaults has it so).
		Enabled string `ini:"enabled" doc:"on when stderr is a terminal or when no file/syslog output is configured"`
		Format  string `ini:"format" default:"text" oneof:"text json default" doc:"text (the line above) or json (JSON lines, see below)"`
	}
	fileSettings struct {
		Path           string        `ini:"path" doc:"log file; a missing parent directory is created (mode 0755), the file is 0640"`
		Format         string        `ini:"format" default:"text" oneof:"text json default" doc:"text or json"`
		BackupCount    int           `ini:"backup_count" default:"3" min:"0" doc:"how many rotated files (.1 newest … .N) are kept"`
		BackupMaxBytes int64         `ini:"backup_max_bytes" default:"0" unit:"bytes" doc:"rotate when a line would take the file past this size (10 MB, 512 KiB allowed); 0: off"`
		RotateEvery    string        `ini:"rotate_every" default:"0" doc:"rotate when the file is older than this (1d, 12h, 3600); 0: off"` // empty is off too (config.Defaults)
		FlushInterval  time.Duration `ini:"flush_interval" default:"1s" min:"0" doc:"how long lines may wait in the output's queue before they are written (0.2, 500ms); 0 writes them as soon as the output's goroutine gets to them"`
	}
	syslogSettings struct {
		Enabled   bool   `ini:"enabled" default:"false" doc:"send every line to syslog, as -s"`
		Address   string `ini:"address" default:"/dev/log" doc:"see below"`
		Format    string `ini:"format" default:"3" oneof:"5 3 m" doc:"5 RFC 5424, 3 RFC 3164, m macOS"`
		Facility  string `ini:"facility" default:"local0" doc:"name (user, daemon, local0…local7, …) or number 0-23"`
		Framing   string `ini:"framing" oneof:"octet-counting octet newline non-transparent" doc:"stream framing (RFC 6587): octet-counting for tcp://, newline for unix-connect://"`
		QueueSize int    `ini:"queue_size" default:"1000" min:"1" doc:"lines waiting to be sent before new ones are dropped"`
	}
	journalSettings struct {
		Enabled bool `ini:"enabled" default:"false" doc:"send every line to systemd-journald"`
	}
)

// sections are the sections Setup reads, each with its settings struct,
// for the unknown-key warnings.
var sections = []struct {
	name string
	v    any
}{
	{"logging", settings{}}, {"logging:console", consoleSettings{}}, {"logging:file", fileSettings{}},
	{"logging:syslog", syslogSettings{}}, {"logging:journal", journalSettings{}},
}

// UnmarshalText parses a level as ParseLevel does, for config.Decode.
func (l *Level) UnmarshalText(b []byte) error {
	lv, err := ParseLevel(string(b))
	*l = lv
	return err
}

// Setup builds a pipeline from cfg and o, makes it current (every Logger,
// including ones created earlier, now follows it), and redirects the
// standard library's log and slog.Default into it. A previous current
// pipeline is replaced but not closed: that is its owner's job.
//
// It reads [logging], [logging:console], [logging:file], [logging:syslog]
// and [logging:journal] (the keys and defaults are in docs/logging.md).
// Every bad value is an error naming the file and line, section, key and
// value; a key these sections do not know is logged as a WARNING of the
// logger "asab.logging" naming its file:line and the known keys.
func Setup(cfg *config.Config, o Options) (*Pipeline, error) {
	if cfg == nil {
		cfg = config.New()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	p := newPipeline(LevelNotice, nil, o.Clock)
	p.verbose, p.opts = o.Verbose, o
	ls, err := p.levelsFrom(cfg)
	if err != nil {
		return nil, err
	}
	p.levels.Store(ls)
	plans, timeout, err := p.plan(cfg)
	if err != nil {
		return nil, err
	}
	var outs []*output
	for _, pl := range plans {
		out, err := pl.open()
		if err != nil {
			for _, out := range outs {
				_ = out.close(context.Background()) // nothing is queued yet
			}
			return nil, err
		}
		outs = append(outs, out)
	}
	p.setOutputs(outs)
	p.flushTimeout.Store(int64(timeout))
	prev := makeCurrent(p)
	p.std = redirectStd(prev.std)
	prev.std = nil
	lg := Get("asab.logging")
	for _, s := range sections {
		unknown, _ := config.Unknown(cfg, s.name, s.v)
		for _, u := range unknown {
			lg.Warning().Msg(u.String())
		}
	}
	return p, nil
}

// decode reads a section into dst, the error prefixed with "logging: ".
func decode(cfg *config.Config, section string, dst any) error {
	if err := config.Decode(cfg, section, dst); err != nil {
		return fmt.Errorf("logging: %w", err)
	}
	return nil
}

// outputPlan is one output a configuration asks for: spec holds every
// setting it is built from (two plans with the same spec build the same
// output), open builds it.
type outputPlan struct {
	spec string
	open func() (*output, error)
}

// plan returns the outputs cfg and p's Options describe, in the order
// Stats lists them, and [logging] flush_timeout; it opens nothing.
func (p *Pipeline) plan(cfg *config.Config) ([]outputPlan, time.Duration, error) {
	o := p.opts
	var s settings
	if err := decode(cfg, "logging", &s); err != nil {
		return nil, 0, err
	}
	if !validSDName(s.SDID) {
		return nil, 0, fmt.Errorf("logging: [logging] sd_id = %q: not a valid RFC 5424 SD-ID (1-32 printable ASCII, no space, =, ] or \")", s.SDID)
	}
	if o.AppName == "" {
		o.AppName = s.AppName
	}
	if o.AppName == "" {
		o.AppName = filepath.Base(os.Args[0])
	}
	var plans []outputPlan
	add := func(open func() (*output, error), spec ...any) {
		sp := fmt.Sprint(spec...)
		plans = append(plans, outputPlan{spec: sp, open: func() (*output, error) {
			out, err := open()
			if err == nil {
				out.spec = sp
			}
			return out, err
		}})
	}

	var f fileSettings
	if err := decode(cfg, "logging:file", &f); err != nil {
		return nil, 0, err
	}
	if o.LogFile != "" {
		f.Path = o.LogFile
	}
	var every time.Duration
	var err error
	if strings.TrimSpace(f.RotateEvery) != "" {
		if every, err = config.ParseDuration(f.RotateEvery); err != nil {
			return nil, 0, fmt.Errorf("logging: [logging:file] rotate_every = %q: want a duration such as 1d or 3600, or 0 (off)", f.RotateEvery)
		}
	}
	if f.Path != "" {
		if f.BackupCount == 0 && (f.BackupMaxBytes > 0 || every > 0) {
			return nil, 0, errors.New("logging: [logging:file]: backup_max_bytes/rotate_every need backup_count > 0")
		}
		add(func() (*output, error) {
			fs, err := newFileSink(&fileSink{path: filepath.Clean(f.Path), backups: f.BackupCount,
				maxBytes: f.BackupMaxBytes, every: every, clock: o.Clock, errw: o.Stderr})
			if err != nil {
				return nil, fmt.Errorf("logging: [logging:file] path = %q: %w", f.Path, err)
			}
			out := newOutput("file:"+fs.path, renderer{format: lineFormatOf(f.Format), sdID: s.SDID}, fs, fileQueue)
			out.interval, out.holdMax = f.FlushInterval, fileBufSize
			return out, nil
		}, "file ", f, every, s.SDID)
	}

	var sl syslogSettings
	if err := decode(cfg, "logging:syslog", &sl); err != nil {
		return nil, 0, err
	}
	if sl.Enabled || o.Syslog {
		// Checked now, so that a bad value refuses a reload.
		if _, err := newSyslogOutput(sl, o, s.SDID); err != nil {
			return nil, 0, err
		}
		add(func() (*output, error) { return newSyslogOutput(sl, o, s.SDID) }, "syslog ", sl, o.AppName, o.Hostname, s.SDID)
	}

	var j journalSettings
	if err := decode(cfg, "logging:journal", &j); err != nil {
		return nil, 0, err
	}
	if j.Enabled {
		add(func() (*output, error) {
			return newOutput("journal", renderer{format: formatJournal, hdr: syslogHeader{app: o.AppName}}, journalSink{}, journalQueue), nil
		}, "journal ", o.AppName)
	}

	var c consoleSettings
	if err := decode(cfg, "logging:console", &c); err != nil {
		return nil, 0, err
	}
	tty := isTerminal(o.Stderr)
	on := tty || len(plans) == 0
	if strings.TrimSpace(c.Enabled) != "" {
		if on, err = config.ParseBool(c.Enabled); err != nil {
			return nil, 0, fmt.Errorf("logging: [logging:console] enabled = %q: %w", c.Enabled, err)
		}
	}
	if on {
		add(func() (*output, error) {
			return newStreamOutput(o.Stderr, lineFormatOf(c.Format), s.SDID, tty, consoleQueue), nil
		}, "console ", c.Format, s.SDID)
	}
	return plans, s.FlushTimeout, nil
}

// newSyslogOutput returns the syslog output that sl describes.
func newSyslogOutput(sl syslogSettings, o Options, sdID string) (*output, error) {
	addr, err := parseSyslogAddress(sl.Address)
	if err != nil {
		return nil, fmt.Errorf("logging: [logging:syslog] address: %w", err)
	}
	facility, err := parseFacility(sl.Facility)
	if err != nil {
		return nil, err
	}
	host := o.Hostname
	if host == "" {
		if host, err = os.Hostname(); err != nil {
			host = "-"
		}
	}
	hdr, err := newSyslogHeader(sl.Format, facility, host, o.AppName, os.Getpid(), sdID)
	if err != nil {
		return nil, err
	}
	if hdr.format == '3' && !addr.remote() {
		hdr.host = "" // as glibc's syslog(3): the local daemon adds the host name
	}
	newline := addr.network == "unix"
	if sl.Framing != "" {
		newline = sl.Framing == "newline" || sl.Framing == "non-transparent"
	}
	sk := newSyslogSink(&syslogSink{addr: addr, newline: newline, errw: o.Stderr})
	return newOutput("syslog:"+addr.String(), renderer{format: formatSyslog, hdr: hdr}, sk, sl.QueueSize), nil
}

// parseLevelRules parses [logging] levels: one "logger.name LEVEL" per line,
// blank lines and lines starting with # or ; skipped.
func parseLevelRules(text string) ([]levelRule, error) {
	var rules []levelRule
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
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

// Queue lengths of the outputs, in lines (besides queueBytes); syslog's is
// [logging:syslog] queue_size.
const (
	consoleQueue = 10000
	fileQueue    = 10000
	journalQueue = 10000
)
