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

// levelRule is one line of [logging] levels.
type levelRule struct {
	name  string
	level Level
}

// Pipeline is a set of outputs with the thresholds that decide what reaches
// them. Setup builds one from configuration and makes it current; Close
// flushes it and puts the default pipeline (stderr, NOTICE) back.
type Pipeline struct {
	gen          uint64
	root         Level
	rules        []levelRule // longest name first
	clock        func() time.Time
	flushTimeout time.Duration // how long Close waits for the queues at most
	outputs      []*output
	lines        [numLevels]atomic.Uint64 // lines written per level, see Stats

	closeOnce sync.Once
	closeErr  error
	std       *stdRedirect
}

// defaultFlushTimeout is [logging] flush_timeout's default.
const defaultFlushTimeout = time.Second

func newPipeline(root Level, rules []levelRule, clock func() time.Time) *Pipeline {
	sort.SliceStable(rules, func(i, j int) bool { return len(rules[i].name) > len(rules[j].name) })
	return &Pipeline{gen: generations.Add(1), root: root, rules: rules, clock: clock, flushTimeout: defaultFlushTimeout}
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

// write stamps one zerolog event with the time and puts it on every
// output's queue; each output's goroutine decodes and renders it.
func (p *Pipeline) write(lv Level, name string, b []byte) {
	if lv.valid() {
		p.lines[lv].Add(1)
	}
	t := p.clock()
	for _, o := range p.outputs {
		o.put(t, lv, name, b)
	}
}

// Reopen rotates the log files (to .1, .2, ... when backup_count > 0) or
// simply reopens them for an external logrotate (backup_count = 0). The
// application calls it on SIGHUP. The lines queued before go to the old
// file; none is lost or split.
func (p *Pipeline) Reopen() error {
	var errs []error
	for _, o := range p.outputs {
		if err := o.reopen(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Flush delivers what every output holds queued now, on the caller's
// goroutine (a file output holds lines back for [logging:file]
// flush_interval). Close flushes by itself; Flush is for a test about to
// read a log file or a program about to exit without Close. Unlike Close
// it waits for an output that is stalled.
func (p *Pipeline) Flush() {
	for _, o := range p.outputs {
		o.flush()
	}
}

// Dropped returns how many lines the pipeline's outputs have dropped so far
// because their queue was full, their server unreachable or a write failed.
func (p *Pipeline) Dropped() uint64 {
	var n uint64
	for _, o := range p.outputs {
		n += o.dropped.Load()
	}
	return n
}

// Close makes the default pipeline current again if p is current, restores
// the standard library's log and slog defaults that Setup redirected, then
// lets every output deliver its queue, all at once, waiting at most until
// ctx is done or [logging] flush_timeout (1 s by default) has passed; what
// is still queued then is dropped and counted, and an output stalled in a
// write (a pipe nobody reads) is left behind. Lines logged after Close go
// to the default pipeline. A second Close returns the first one's result.
func (p *Pipeline) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		if replaceCurrent(p, defaultPipeline()) && p.std != nil {
			p.std.restore()
		}
		ctx, cancel := context.WithTimeout(ctx, p.flushTimeout)
		defer cancel()
		errs := make([]error, len(p.outputs))
		var wg sync.WaitGroup
		for i, o := range p.outputs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = o.close(ctx)
			}()
		}
		wg.Wait()
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}
