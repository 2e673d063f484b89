package logging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sink is where an output's goroutine delivers rendered lines: a console,
// a file, a syslog server, the journal.
type sink interface {
	// deliver writes the lines of batch (line i ends at ends[i]) and
	// returns how many of them it delivered. It may block (a stalled
	// pipe, a server that is down) until ctx is cancelled.
	deliver(ctx context.Context, batch []byte, ends []int) int
	// reopen rotates or reopens a file (SIGHUP); a no-op for others.
	reopen() error
	// close releases the sink after the last deliver.
	close() error
}

// queueBytes bounds the bytes an output's queue holds, besides its lines.
const queueBytes = 4 << 20

// output is one destination of a pipeline. The caller renders a record
// into the output's queue under a mutex and returns; one goroutine per
// output takes everything queued at once and hands it to the sink. A full
// queue drops the line and counts it; once the sink delivers again, the
// count goes out as a WARNING line of the logger "asab.logging". So a
// stalled output never blocks the caller.
type output struct {
	name     string // for Stats: "console", "file:PATH", "syslog:ADDR", "journal"
	sink     sink
	limit    int           // lines the queue holds
	interval time.Duration // wait this long after the first queued line before delivering (file flush_interval)
	holdMax  int           // bytes that end that wait early

	mu      sync.Mutex
	render  renderer
	buf     []byte
	ends    []int
	urgent  bool // an ERROR or worse line is queued: deliver now
	running bool // the goroutine runs (see idleExit)
	inHand  int  // lines taken from the queue and being delivered: they count against limit
	closed  bool
	dropped atomic.Uint64

	sendMu   sync.Mutex // held while delivering: goroutine, Flush and Reopen take turns
	spareBuf []byte
	spareEnd []int
	reported uint64 // dropped lines already reported, under sendMu

	wake   chan struct{}
	stop   chan struct{}
	abort  context.Context
	cancel context.CancelFunc
}

func newOutput(name string, render renderer, s sink, limit int) *output {
	if limit <= 0 {
		limit = 1000
	}
	o := &output{name: name, render: render, sink: s, limit: limit,
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	o.abort, o.cancel = context.WithCancel(context.Background())
	return o
}

// put renders r into the queue, or counts it as dropped when the queue is
// full or the output closed.
func (o *output) put(r *record) {
	o.mu.Lock()
	if o.closed || len(o.ends)+o.inHand >= o.limit || len(o.buf) >= queueBytes {
		o.mu.Unlock()
		o.dropped.Add(1)
		return
	}
	mark := len(o.buf)
	o.buf = o.render.append(o.buf, r)
	o.ends = append(o.ends, len(o.buf))
	signal := len(o.ends) == 1 || (o.holdMax > 0 && mark < o.holdMax && len(o.buf) >= o.holdMax)
	if r.level >= LevelError && !o.urgent {
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
			if len(o.ends) == 0 {
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

// hold waits out the output's interval after the first queued line, unless
// an urgent line or holdMax bytes arrive, or the output stops.
func (o *output) hold() {
	if o.interval <= 0 {
		return
	}
	t := time.NewTimer(o.interval)
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

// deliverQueued hands everything queued to the sink and returns how many
// lines that was.
func (o *output) deliverQueued() int {
	o.sendMu.Lock()
	defer o.sendMu.Unlock()
	return o.deliverLocked()
}

func (o *output) deliverLocked() int {
	o.mu.Lock()
	batch, ends := o.buf, o.ends
	o.buf, o.ends, o.urgent, o.inHand = o.spareBuf[:0], o.spareEnd[:0], false, len(ends)
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.inHand = 0
		o.mu.Unlock()
	}()
	if len(ends) == 0 {
		o.spareBuf, o.spareEnd = batch, ends
		return 0
	}
	n := o.sink.deliver(o.abort, batch, ends)
	if n < len(ends) {
		o.dropped.Add(uint64(len(ends) - n))
	}
	if cap(batch) > 2*queueBytes {
		batch = nil
	}
	o.spareBuf, o.spareEnd = batch[:0], ends[:0]
	if d := o.dropped.Load(); n > 0 && d > o.reported {
		o.reportDropped(d - o.reported)
		o.reported = d
	}
	return len(ends)
}

// reportDropped queues, past the limit, the WARNING line that tells how
// many lines the output lost, and wakes the goroutine to deliver it.
func (o *output) reportDropped(n uint64) {
	src := strconv.AppendUint([]byte(`{"dropped":`), n, 10)
	kind, _, _ := strings.Cut(o.name, ":")
	src = append(src, `,"message":"`...)
	src = append(src, kind...)
	src = append(src, ` lines dropped (queue full or output stalled)"}`...)
	r := record{src: src, t: time.Now(), level: LevelWarning, name: "asab.logging"}
	r.msg, r.msgRaw, r.fields = parseEvent(src, nil)
	o.mu.Lock()
	if o.abort.Err() == nil {
		o.buf = o.render.append(o.buf, &r)
		o.ends = append(o.ends, len(o.buf))
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// flush delivers what is queued now, on the caller's goroutine.
func (o *output) flush() { o.deliverQueued() }

// reopen delivers what is queued, then reopens the sink.
func (o *output) reopen() error {
	o.mu.Lock()
	closed := o.closed
	o.mu.Unlock()
	if closed {
		return nil
	}
	o.sendMu.Lock()
	defer o.sendMu.Unlock()
	o.deliverLocked()
	return o.sink.reopen()
}

// stallGrace is how long close waits for a sink to return once flushing
// was cut short; a sink blocked in a write the runtime cannot interrupt
// (a pipe nobody reads) is then left behind.
const stallGrace = 20 * time.Millisecond

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
	o.dropped.Add(uint64(len(o.ends)))
	o.buf, o.ends = nil, nil
	o.mu.Unlock()
}
