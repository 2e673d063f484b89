package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
)

// sink is where an output's goroutine delivers rendered lines: a console,
// a file, a syslog server, the journal.
type sink interface {
	// deliver writes the lines of batch (line i ends at ends[i]) and
	// returns how many of them it delivered. It may block (a stalled
	// pipe, a server that is down) until ctx is cancelled.
	deliver(ctx context.Context, batch []byte, ends []int) int
	// close releases the sink after the last deliver.
	close() error
}

// queueBytes bounds the bytes an output's queue holds, besides its lines.
const queueBytes = 4 << 20

// entry is one queued line: its zerolog event is buf[previous end:end].
type entry struct {
	t     time.Time
	level Level
	name  string
	end   int
}

// output is one destination of a pipeline. The caller copies the zerolog
// event into the output's queue under a mutex and returns; one goroutine
// per output takes everything queued at once, decodes and renders it and
// hands it to the sink. A full queue drops the line and counts it; once
// the sink delivers again, the count goes out as a WARNING line of the
// logger "asab.logging". So a stalled output never blocks the caller.
type output struct {
	name     string // for Stats: "console", "file:PATH", "syslog:ADDR", "journal"
	spec     string // the settings it was built from; Reload keeps an output whose spec stays
	sink     sink
	limit    int           // lines the queue holds, those being delivered included
	interval time.Duration // wait this long after the first queued line before delivering (file flush_interval)
	holdMax  int           // queued bytes that end that wait early

	mu      sync.Mutex
	buf     []byte
	ents    []entry
	urgent  bool // an ERROR or worse line is queued: deliver now
	running bool // the goroutine runs (see idleExit)
	inHand  int  // lines taken from the queue and being delivered
	closed  bool
	next    *output // set when Reload replaced this output: where put sends lines now
	dropped atomic.Uint64

	// Under sendMu: the goroutine, Flush and Reopen take turns delivering.
	sendMu   sync.Mutex
	render   renderer
	rec      record // the line being rendered; its fields slice is reused
	spareBuf []byte
	spareEnt []entry
	out      []byte
	outEnds  []int
	reported uint64 // dropped lines already reported

	wake   chan struct{}
	stop   chan struct{}
	abort  context.Context
	cancel context.CancelFunc
}

func newOutput(name string, render renderer, s sink, limit int) *output {
	o := &output{name: name, render: render, sink: s, limit: max(limit, 1),
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	o.abort, o.cancel = context.WithCancel(context.Background())
	return o
}

// put queues the event ev, or counts it as dropped when the queue is full
// or the output closed.
func (o *output) put(t time.Time, lv Level, name string, ev []byte) {
	o.mu.Lock()
	if o.closed || len(o.ents)+o.inHand >= o.limit || len(o.buf) >= queueBytes {
		next := o.next
		o.mu.Unlock()
		if next != nil { // a writer that still had the outputs before a Reload
			next.put(t, lv, name, ev)
			return
		}
		o.dropped.Add(1)
		return
	}
	mark := len(o.buf)
	o.buf = append(o.buf, ev...)
	o.ents = append(o.ents, entry{t: t, level: lv, name: name, end: len(o.buf)})
	signal := len(o.ents) == 1 || (o.holdMax > 0 && mark < o.holdMax && len(o.buf) >= o.holdMax)
	if lv >= LevelError && !o.urgent {
		o.urgent, signal = true, true
	}
	if !o.running {
		o.running = true
		go o.run()
	}
	o.mu.Unlock()
	if signal {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
}

// idleExit is how long an output's goroutine waits for lines before it
// ends; put starts it again. So an output that logs nothing, such as the
// default console before Setup, holds no goroutine.
const idleExit = 100 * time.Millisecond

func (o *output) run() {
	idle := time.NewTimer(idleExit)
	defer idle.Stop()
	for {
		select {
		case <-o.wake:
			o.hold()
			o.deliverQueued()
			idle.Reset(idleExit)
		case <-idle.C:
			o.mu.Lock()
			if len(o.ents) == 0 {
				o.running = false
				o.mu.Unlock()
				return
			}
			o.mu.Unlock()
			idle.Reset(idleExit)
		case <-o.stop:
			o.mu.Lock()
			o.running = false
			o.mu.Unlock()
			return
		}
	}
}

// batchDelay is the least an output's goroutine waits after the first
// queued line, so that under load it wakes once per batch rather than once
// per line: code for speed, it wins more than 10% on the harness row
// "logging: NOTICE line, 3 fields, discarding writer" (instructions per
// line, bench/loginstr.sh).
const batchDelay = time.Millisecond

// hold waits out the output's interval (at least batchDelay) after the
// first queued line, unless an urgent line or holdMax bytes arrive, or the
// output stops.
func (o *output) hold() {
	t := time.NewTimer(max(o.interval, batchDelay))
	defer t.Stop()
	for {
		o.mu.Lock()
		now := o.urgent || (o.holdMax > 0 && len(o.buf) >= o.holdMax)
		o.mu.Unlock()
		if now {
			return
		}
		select {
		case <-t.C:
			return
		case <-o.stop:
			return
		case <-o.wake:
		}
	}
}

// deliverQueued renders everything queued and hands it to the sink; it
// returns how many lines that was.
func (o *output) deliverQueued() int {
	o.sendMu.Lock()
	defer o.sendMu.Unlock()
	return o.deliverLocked()
}

func (o *output) deliverLocked() int {
	o.mu.Lock()
	buf, ents := o.buf, o.ents
	o.buf, o.ents, o.urgent, o.inHand = o.spareBuf[:0], o.spareEnt[:0], false, len(ents)
	o.mu.Unlock()
	o.out, o.outEnds = o.out[:0], o.outEnds[:0]
	start := 0
	for _, e := range ents {
		o.renderEvent(e, buf[start:e.end])
		start = e.end
	}
	n := len(ents)
	if n > 0 {
		if d := o.sink.deliver(o.abort, o.out, o.outEnds); d < n {
			o.dropped.Add(uint64(n - d))
			n = -1 // nothing more to report now
		}
	}
	o.mu.Lock()
	o.inHand = 0
	o.mu.Unlock()
	if cap(buf) > 2*queueBytes {
		buf = nil
	}
	if cap(o.out) > 2*queueBytes {
		o.out = nil
	}
	o.spareBuf, o.spareEnt = buf[:0], ents[:0]
	if d := o.dropped.Load(); n > 0 && d > o.reported {
		o.reportDropped(d)
	}
	return len(ents)
}

// renderEvent decodes a queued event and renders it onto out.
func (o *output) renderEvent(e entry, ev []byte) {
	r := &o.rec
	r.src, r.t, r.level, r.name, r.fields = ev, e.t, e.level, e.name, r.fields[:0]
	r.parse()
	o.out = o.render.append(o.out, r)
	o.outEnds = append(o.outEnds, len(o.out))
}

// reportDropped delivers the WARNING line that tells how many lines the
// output lost since the last report, now that it delivers again.
func (o *output) reportDropped(total uint64) {
	ev := strconv.AppendUint([]byte(`{"dropped":`), total-o.reported, 10)
	ev = append(ev, `,"message":"`...)
	ev = append(ev, kind(o.name)...)
	ev = append(ev, ` lines dropped (queue full or output stalled)"}`...)
	o.out, o.outEnds = o.out[:0], o.outEnds[:0]
	o.renderEvent(entry{t: time.Now(), level: LevelWarning, name: "asab.logging"}, ev)
	if o.sink.deliver(o.abort, o.out, o.outEnds) == 1 {
		o.reported = total
	}
}

// reopen delivers what is queued to a file, then reopens it; other
// outputs have nothing to reopen and are left alone, so a stalled console
// does not hold up the SIGHUP that asked for it.
func (o *output) reopen() error {
	fs, file := o.sink.(*fileSink)
	if !file {
		return nil
	}
	o.sendMu.Lock()
	defer o.sendMu.Unlock()
	// closed is read under sendMu: close closes the sink under it, so an
	// output that a reload retires meanwhile is either still open here (and
	// closed after this reopen) or seen closed, never reopened once closed.
	o.mu.Lock()
	closed := o.closed
	o.mu.Unlock()
	if closed {
		return nil
	}
	o.deliverLocked()
	return fs.reopen()
}

// stallGrace is how long close waits for a sink to return once flushing
// was cut short; a sink blocked in a write the runtime cannot interrupt
// (a pipe nobody reads) is then left behind.
const stallGrace = 20 * time.Millisecond

// retire closes an output that Reload took out: lines still put into it
// go to next (when the output was replaced rather than removed), what it
// holds queued is delivered within ctx.
func (o *output) retire(ctx context.Context, next *output) error {
	o.mu.Lock()
	o.next = next
	o.mu.Unlock()
	return o.close(ctx)
}

// close stops taking lines and delivers the queue until ctx is done;
// then it aborts the delivery (what is still queued is dropped and
// counted) and closes the sink.
func (o *output) close(ctx context.Context) error {
	o.mu.Lock()
	already := o.closed
	o.closed = true
	o.mu.Unlock()
	if already {
		return nil
	}
	close(o.stop)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for o.deliverQueued() > 0 && o.abort.Err() == nil {
		}
	}()
	var err error
	select {
	case <-finished:
	case <-ctx.Done():
		o.cancel()
		err = fmt.Errorf("logging: %s: flushing cut short (%w)", o.name, ctx.Err())
		select {
		case <-finished:
		case <-time.After(stallGrace):
			o.dropQueued()
			return fmt.Errorf("%w; the output is stalled and was left behind, %d lines dropped in total", err, o.dropped.Load())
		}
	}
	o.cancel()
	o.dropQueued()
	o.sendMu.Lock()
	cerr := o.sink.close()
	o.sendMu.Unlock()
	if cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil && o.dropped.Load() > 0 {
		err = fmt.Errorf("%w; %d lines dropped in total", err, o.dropped.Load())
	}
	return err
}

// dropQueued counts what is still queued as dropped and empties the queue.
func (o *output) dropQueued() {
	o.mu.Lock()
	o.dropped.Add(uint64(len(o.ents)))
	o.buf, o.ents = nil, nil
	o.mu.Unlock()
}

// streamSink writes lines to a writer such as stderr, a whole batch of
// lines in one Write call.
type streamSink struct{ w io.Writer }

func (s streamSink) deliver(_ context.Context, batch []byte, ends []int) int {
	if _, err := s.w.Write(batch); err != nil {
		return 0 // nowhere to report a failing stderr; the lines count as dropped
	}
	return len(ends)
}

func (streamSink) close() error { return nil }

// newStreamOutput returns a console output writing to w.
func newStreamOutput(w io.Writer, f lineFormat, sdID string, colour bool, queue int) *output {
	return newOutput("console", renderer{format: f, sdID: sdID, colour: colour}, streamSink{w}, queue)
}

// isTerminal reports whether w is a terminal (colour is used only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd())
}
