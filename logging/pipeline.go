package logging

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// output is one destination of a pipeline (console, file, syslog).
type output interface {
	// write renders and sends one record; it must not keep r.
	write(r *record)
	// reopen rotates or reopens files (SIGHUP); a no-op for others.
	reopen() error
	// close flushes and releases the output, within ctx for network outputs.
	close(ctx context.Context) error
}

// levelRule is one line of [logging] levels.
type levelRule struct {
	name  string
	level Level
}

// Pipeline is a set of outputs with the thresholds that decide what reaches
// them. Setup builds one from configuration and makes it current; Close
// flushes it and puts the default pipeline (stderr, NOTICE) back.
type Pipeline struct {
	gen     uint64
	root    Level
	rules   []levelRule // longest name first
	clock   func() time.Time
	outputs []output
	syslogs []*syslogOutput
	lines   [numLevels]atomic.Uint64 // lines written per level, see Stats

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool
	std       *stdRedirect
}

func newPipeline(root Level, rules []levelRule, clock func() time.Time) *Pipeline {
	sort.SliceStable(rules, func(i, j int) bool { return len(rules[i].name) > len(rules[j].name) })
	return &Pipeline{gen: generations.Add(1), root: root, rules: rules, clock: clock}
}

// threshold returns the level a logger called name must reach: the rule whose
// name equals name or is a dotted prefix of it ("asab" for "asab.web"), the
// longest such rule winning; otherwise the root threshold.
func (p *Pipeline) threshold(name string) Level {
	for _, r := range p.rules {
		if name == r.name || (len(name) > len(r.name) && name[len(r.name)] == '.' && strings.HasPrefix(name, r.name)) {
			return r.level
		}
	}
	return p.root
}

// write hands one zerolog event to every output, undecoded: the text and
// syslog formats render a plain event straight from its JSON, and the
// record is decoded (once) only for the rest.
func (p *Pipeline) write(lv Level, name string, b []byte) {
	p.writeRecord(record{src: b, level: lv, name: name, undecoded: true})
}

// writeRecord stamps r with the time, unless it has one, and hands it to
// every output. The record lives on the stack: outputs are called through
// their concrete types, and only test outputs get a heap copy.
func (p *Pipeline) writeRecord(r record) {
	if r.level.valid() {
		p.lines[r.level].Add(1)
	}
	if r.t.IsZero() {
		r.t = p.clock()
	}
	for _, o := range p.outputs {
		switch o := o.(type) {
		case *streamOutput:
			o.write(&r)
		case *fileOutput:
			o.write(&r)
		case *syslogOutput:
			o.write(&r)
		default:
			c := r.decoded(nil)
			o.write(&c)
		}
	}
}

// Reopen rotates the log files (to .1, .2, ... when backup_count > 0) or
// simply reopens them for an external logrotate (backup_count = 0). The
// application calls it on SIGHUP. Lines logged meanwhile are neither lost
// nor interleaved.
func (p *Pipeline) Reopen() error {
	var errs []error
	for _, o := range p.outputs {
		if err := o.reopen(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Flush writes the lines that file outputs hold in their buffers (see
// [logging:file] flush_interval) to their files now. Close and Reopen
// flush by themselves; Flush is for a program about to exit without
// Close, or a test about to read a log file.
func (p *Pipeline) Flush() {
	for _, o := range p.outputs {
		if f, ok := o.(*fileOutput); ok {
			f.flush()
		}
	}
}

// Dropped returns how many lines the pipeline's syslog outputs have dropped
// so far because their queue was full or their server unreachable.
func (p *Pipeline) Dropped() uint64 {
	var n uint64
	for _, s := range p.syslogs {
		n += s.dropped.Load()
	}
	return n
}

// Close makes the default pipeline current again if p is current, restores
// the standard library's log and slog defaults that Setup redirected, then
// flushes the syslog queues (waiting at most until ctx is done) and closes
// the files. Lines logged after Close go to the default pipeline. A second
// Close returns the first one's result.
func (p *Pipeline) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		if replaceCurrent(p, defaultPipeline()) && p.std != nil {
			p.std.restore()
		}
		var errs []error
		for _, o := range p.outputs {
			if err := o.close(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}
