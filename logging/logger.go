package logging

import (
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/asabgo/asab/tracing/logtrace"
)

// Logger is a named logger. Its methods return a *zerolog.Event to which
// fields are added and which is sent with Msg/Msgf/Send; a filtered-out event
// is nil, on which every zerolog method is a cheap no-op.
//
// A Logger holds no output: every line goes to the current pipeline (see
// Setup), and the threshold is resolved from the current pipeline's rules
// and cached until the pipeline changes, so a Logger created before Setup
// follows it. A Logger is safe for concurrent use and must not be copied.
type Logger struct {
	name string
	// cache holds generation<<8 | threshold of the pipeline it was resolved from.
	cache atomic.Uint64
	// off[lv] is the generation of the pipeline that filters lv out, as
	// far as this logger has found out; generations start at 1, so the
	// zero value means "not known". Only ever accessed with
	// atomic.LoadUint64/StoreUint64 (a plain array, because that keeps the
	// level methods within the inlining budget).
	off [numLevels]uint64
	lw  [numLevels]levelWriter
	zl  [numLevels]zerolog.Logger
}

// Get returns a logger with the given dotted name ("myapp.mymodule"). It
// needs no Setup; keep the result in a variable of the component that logs
// rather than calling Get per line. A line given a context with a span
// (Event.Ctx(ctx)) carries its trace_id and span_id as fields (the hook of
// tracing/logtrace); a line without one pays a nil check for it.
func Get(name string) *Logger {
	l := &Logger{name: name}
	for i := range l.lw {
		l.lw[i] = levelWriter{name: name, level: Level(i)}
		l.zl[i] = zerolog.New(&l.lw[i]).Hook(logtrace.Hook{})
	}
	return l
}

// With returns a child logger with the same name whose lines all carry the
// context fields that fn adds, e.g.
//
//	lg := logging.Get("myapp.conn").With(func(c zerolog.Context) zerolog.Context {
//		return c.Str("peer", addr)
//	})
func (l *Logger) With(fn func(zerolog.Context) zerolog.Context) *Logger {
	base := fn(l.zl[0].With()).Logger()
	c := &Logger{name: l.name}
	for i := range c.lw {
		c.lw[i] = levelWriter{name: l.name, level: Level(i)}
		c.zl[i] = base.Output(&c.lw[i])
	}
	return c
}

// Name returns the logger's name.
func (l *Logger) Name() string { return l.name }

// Enabled reports whether a line at level lv from this logger passes the
// current pipeline's threshold for the logger's name.
func (l *Logger) Enabled(lv Level) bool {
	c := l.cache.Load()
	if c>>8 != currentGen.Load() {
		c = l.resolve()
	}
	return lv >= Level(c&0xff)
}

// resolve caches the current pipeline's threshold for this logger: in
// cache, and in off for every level below it, which is what the level
// methods' inlined fast path (two atomic loads and a compare) looks at.
//
//go:noinline
func (l *Logger) resolve() uint64 {
	p := current.Load()
	gen := p.gen.Load()
	thr := p.threshold(l.name)
	for lv := LevelDebug; lv < thr; lv++ {
		atomic.StoreUint64(&l.off[lv], gen)
	}
	c := gen<<8 | uint64(thr)
	l.cache.Store(c)
	return c
}

// event returns a new event at level lv when lv passes the threshold,
// else nil. The level methods call it only when their inlined fast check
// did not already rule the line out.
//
//go:noinline
func (l *Logger) event(lv Level) *zerolog.Event {
	if !l.Enabled(lv) {
		return nil
	}
	return l.zl[lv].Log()
}

// WithLevel returns an event at level lv, or nil when lv is filtered out or
// is not one of the six levels.
func (l *Logger) WithLevel(lv Level) *zerolog.Event {
	if !lv.valid() || !l.Enabled(lv) {
		return nil
	}
	return l.zl[lv].Log()
}

// Debug starts a DEBUG line (nil when filtered out).
func (l *Logger) Debug() *zerolog.Event {
	if atomic.LoadUint64(&l.off[LevelDebug]) == currentGen.Load() {
		return nil
	}
	return l.event(LevelDebug)
}

// Info starts an INFO line (nil when filtered out).
func (l *Logger) Info() *zerolog.Event {
	if atomic.LoadUint64(&l.off[LevelInfo]) == currentGen.Load() {
		return nil
	}
	return l.event(LevelInfo)
}

// Notice starts a NOTICE line (nil when filtered out).
func (l *Logger) Notice() *zerolog.Event {
	if atomic.LoadUint64(&l.off[LevelNotice]) == currentGen.Load() {
		return nil
	}
	return l.event(LevelNotice)
}

// Warning starts a WARNING line (nil when filtered out).
func (l *Logger) Warning() *zerolog.Event {
	if atomic.LoadUint64(&l.off[LevelWarning]) == currentGen.Load() {
		return nil
	}
	return l.event(LevelWarning)
}

// Error starts an ERROR line (nil when filtered out).
func (l *Logger) Error() *zerolog.Event {
	if atomic.LoadUint64(&l.off[LevelError]) == currentGen.Load() {
		return nil
	}
	return l.event(LevelError)
}

// Critical starts a CRITICAL line (nil when filtered out). Unlike zerolog's
// Fatal it does not exit.
func (l *Logger) Critical() *zerolog.Event {
	if atomic.LoadUint64(&l.off[LevelCritical]) == currentGen.Load() {
		return nil
	}
	return l.event(LevelCritical)
}

// levelWriter is the zerolog output of one level of one logger: it hands the
// encoded event, with the level and name zerolog does not carry, to the
// current pipeline. Events are created with zerolog's NoLevel, so zerolog
// writes no level field and none of zerolog's globals needs changing.
type levelWriter struct {
	name  string
	level Level
}

// Write implements io.Writer.
func (w *levelWriter) Write(p []byte) (int, error) {
	current.Load().write(w.level, w.name, p)
	return len(p), nil
}

// WriteLevel implements zerolog.LevelWriter.
func (w *levelWriter) WriteLevel(_ zerolog.Level, p []byte) (int, error) {
	return w.Write(p)
}
