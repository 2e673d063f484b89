package logging

import (
	"context"
	"errors"
	"os"
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
	gen          atomic.Uint64 // changes when the thresholds do, see Reload
	levels       atomic.Pointer[levelSet]
	verbose      bool // -v: the root threshold stays DEBUG across reloads
	clock        func() time.Time
	flushTimeout atomic.Int64              // how long Close waits for the queues at most
	outs         atomic.Pointer[[]*output] // swapped whole by Reload
	opts         Options                   // as Setup got them, for Reload
	reloadMu     sync.Mutex                // one output swap at a time
	closed       bool                      // under reloadMu: Close has begun
	lines        [numLevels]atomic.Uint64  // lines written per level, see Stats
	ov           overrides                 // run-time thresholds, see SetLevel (override.go)

	closeOnce sync.Once
	closeErr  error
	std       *stdRedirect
}

// defaultFlushTimeout is [logging] flush_timeout's default.
const defaultFlushTimeout = time.Second

// levelSet is the root threshold and the [logging] levels rules.
type levelSet struct {
	root  Level
	rules []levelRule // longest name first
}

func newLevelSet(root Level, rules []levelRule) *levelSet {
	sort.SliceStable(rules, func(i, j int) bool { return len(rules[i].name) > len(rules[j].name) })
	return &levelSet{root: root, rules: rules}
}

func newPipeline(root Level, rules []levelRule, clock func() time.Time) *Pipeline {
	p := &Pipeline{clock: clock}
	p.flushTimeout.Store(int64(defaultFlushTimeout))
	p.setOutputs(nil)
	p.levels.Store(newLevelSet(root, rules))
	p.gen.Store(generations.Add(1))
	return p
}

// outputs returns the current outputs; the slice is never changed, only
// replaced (setOutputs).
func (p *Pipeline) outputs() []*output { return *p.outs.Load() }

func (p *Pipeline) setOutputs(outs []*output) { p.outs.Store(&outs) }

// threshold returns the level a logger called name must reach: the rule whose
// name equals name or is a dotted prefix of it ("asab" for "asab.web"), the
// longest such rule winning; otherwise the root threshold.
func (p *Pipeline) threshold(name string) Level { return p.levels.Load().resolve(name) }

// resolve is the level ls gives a logger called name (see threshold).
func (ls *levelSet) resolve(name string) Level {
	for _, r := range ls.rules {
		if name == r.name || (len(name) > len(r.name) && name[len(r.name)] == '.' && strings.HasPrefix(name, r.name)) {
			return r.level
		}
	}
	return ls.root
}

// write stamps one zerolog event with the time and puts it on every
// output's queue; each output's goroutine decodes and renders it.
func (p *Pipeline) write(lv Level, name string, b []byte) {
	if lv.valid() {
		p.lines[lv].Add(1)
	}
	t := p.clock()
	for _, o := range p.outputs() {
		o.put(t, lv, name, b)
	}
}

// Reopen rotates the log files (to .1, .2, ... when backup_count > 0) or
// simply reopens them for an external logrotate (backup_count = 0). The
// application calls it on SIGHUP. The lines queued before go to the old
// file; none is lost or split.
func (p *Pipeline) Reopen() error {
	var errs []error
	for _, o := range p.outputs() {
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
	for _, o := range p.outputs() {
		o.deliverQueued()
	}
}

// Dropped returns how many lines the pipeline's outputs have dropped so far
// because their queue was full, their server unreachable or a write failed.
func (p *Pipeline) Dropped() uint64 {
	var n uint64
	for _, o := range p.outputs() {
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
		p.stopOverrides()
		if replaceCurrent(p, defaultPipeline()) && p.std != nil {
			p.std.restore()
		}
		p.reloadMu.Lock()
		p.closed = true // Reload swaps no outputs from now on
		outs := p.outputs()
		p.reloadMu.Unlock()
		ctx, cancel := context.WithTimeout(ctx, time.Duration(p.flushTimeout.Load()))
		defer cancel()
		errs := make([]error, len(outs))
		var wg sync.WaitGroup
		for i, o := range outs {
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

// current is the pipeline every Logger writes to. It is the one piece of
// package-level mutable state (see the package doc): a pointer swapped
// atomically by Setup and Close, never locked on the logging path.
var current atomic.Pointer[Pipeline]

// currentGen mirrors current.Load().gen so that Logger.Enabled needs one
// atomic load besides its own cache; it is stored after current, so a
// logger seeing a new generation finds the new pipeline.
var currentGen atomic.Uint64

// makeCurrent swaps p in as the current pipeline and returns the old one.
func makeCurrent(p *Pipeline) *Pipeline {
	prev := current.Swap(p)
	currentGen.Store(p.gen.Load())
	return prev
}

// replaceCurrent makes next current if old still is.
func replaceCurrent(old, next *Pipeline) bool {
	if !current.CompareAndSwap(old, next) {
		return false
	}
	currentGen.Store(next.gen.Load())
	return true
}

// generations numbers pipelines, so a Logger knows when its cached threshold
// belongs to a pipeline that is no longer current.
var generations atomic.Uint64

func init() {
	makeCurrent(defaultPipeline())
}

// defaultPipeline is what logging does before Setup and after Close: text
// lines on stderr, threshold NOTICE, colour when stderr is a terminal.
func defaultPipeline() *Pipeline {
	p := newPipeline(LevelNotice, nil, time.Now)
	p.setOutputs([]*output{newStreamOutput(os.Stderr, formatText, "sd", isTerminal(os.Stderr), consoleQueue)})
	return p
}

// Stats are a pipeline's counters, for metrics: lines written per level
// and lines each output had to drop. Counts start at zero when the
// pipeline is built and only grow.
type Stats struct {
	// Lines counts the lines that passed the threshold and were handed to
	// the outputs, indexed by Level: Lines[LevelNotice].
	Lines [numLevels]uint64
	// Outputs lists the outputs, in the order they were configured.
	Outputs []OutputStats
}

// OutputStats are the counters of one output.
type OutputStats struct {
	// Name says which output: "console", "journal", "file:" and the path,
	// or "syslog:" and the address in URL form ("syslog:udp://127.0.0.1:514").
	Name string
	// Dropped counts the lines the output could not deliver: a full queue
	// (a stalled console, an unreachable server), a failed write, a line
	// that reached a closed output, lines still queued when Close gave up.
	Dropped uint64
}

// Stats returns p's counters. It is cheap (atomic loads) but allocates
// the Outputs slice; call it when metrics are scraped, not per line.
func (p *Pipeline) Stats() Stats {
	var s Stats
	for i := range s.Lines {
		s.Lines[i] = p.lines[i].Load()
	}
	for _, o := range p.outputs() {
		s.Outputs = append(s.Outputs, OutputStats{Name: o.name, Dropped: o.dropped.Load()})
	}
	return s
}

// CurrentStats returns the counters of the current pipeline: the one the
// application's Setup built while the application runs.
func CurrentStats() Stats { return current.Load().Stats() }
