package logging

import (
	"context"
	"io"
	"log"
	"log/slog"
	"time"

	"github.com/rs/zerolog"
)

// slogHandler is a slog.Handler writing through a Logger, so slog output
// lands in the same pipeline, thresholds and outputs as everything else.
type slogHandler struct {
	l      *Logger
	prefix string // group prefix for keys, "g1.g2." or ""
	attrs  []slog.Attr
}

// NewSlogHandler returns a slog.Handler that logs through Get(name). slog
// levels map onto ours: below INFO (0) is DEBUG, 0-1 INFO, 2-3 NOTICE, 4-7
// WARNING, 8-11 ERROR, 12 and above CRITICAL. Attributes become fields;
// groups prefix their keys with "group.". A line logged with a context
// that holds a span (slog.InfoContext and the like) carries its trace_id
// and span_id. The line's time is taken by the pipeline when it is
// written, as for every other line.
func NewSlogHandler(name string) slog.Handler {
	return &slogHandler{l: Get(name)}
}

// levelFromSlog maps a slog level onto ours.
func levelFromSlog(l slog.Level) Level {
	switch {
	case l < slog.LevelInfo:
		return LevelDebug
	case l < slog.LevelInfo+2:
		return LevelInfo
	case l < slog.LevelWarn:
		return LevelNotice
	case l < slog.LevelError:
		return LevelWarning
	case l < slog.LevelError+4:
		return LevelError
	}
	return LevelCritical
}

func (h *slogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.l.Enabled(levelFromSlog(l))
}

func (h *slogHandler) Handle(ctx context.Context, r slog.Record) error {
	e := h.l.WithLevel(levelFromSlog(r.Level))
	if e == nil {
		return nil
	}
	if ctx != nil {
		e = e.Ctx(ctx) // the trace hook adds trace_id and span_id of a span in ctx
	}
	for _, a := range h.attrs {
		e = addAttr(e, "", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		e = addAttr(e, h.prefix, a)
		return true
	})
	e.Msg(r.Message)
	return nil
}

func (h *slogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	c := &slogHandler{l: h.l, prefix: h.prefix, attrs: make([]slog.Attr, 0, len(h.attrs)+len(as))}
	c.attrs = append(c.attrs, h.attrs...)
	for _, a := range as {
		if h.prefix != "" {
			a.Key = h.prefix + a.Key
		}
		c.attrs = append(c.attrs, a)
	}
	return c
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &slogHandler{l: h.l, prefix: h.prefix + name + ".", attrs: h.attrs}
}

// addAttr adds one attribute as a field (a group's members as prefix.key).
func addAttr(e *zerolog.Event, prefix string, a slog.Attr) *zerolog.Event {
	v := a.Value.Resolve()
	if a.Key == "" && v.Kind() != slog.KindGroup {
		return e // slog: an empty attribute is ignored
	}
	key := prefix + a.Key
	switch v.Kind() {
	case slog.KindString:
		return e.Str(key, v.String())
	case slog.KindInt64:
		return e.Int64(key, v.Int64())
	case slog.KindUint64:
		return e.Uint64(key, v.Uint64())
	case slog.KindFloat64:
		return e.Float64(key, v.Float64())
	case slog.KindBool:
		return e.Bool(key, v.Bool())
	case slog.KindDuration:
		return e.Str(key, v.Duration().String())
	case slog.KindTime:
		return e.Str(key, v.Time().Format(time.RFC3339Nano))
	case slog.KindGroup:
		p := prefix
		if a.Key != "" {
			p = key + "."
		}
		for _, m := range v.Group() {
			e = addAttr(e, p, m)
		}
		return e
	}
	if err, ok := v.Any().(error); ok {
		return e.Str(key, err.Error())
	}
	return e.Interface(key, v.Any())
}

// stdRedirect remembers the standard library's log and slog defaults as they
// were before Setup, so Close can put them back.
type stdRedirect struct {
	out    io.Writer
	flags  int
	prefix string
	slog   *slog.Logger
}

// stdLogWriter feeds lines of the standard library's log package to the
// logger "log" at NOTICE (shown by default: libraries use log for problems).
type stdLogWriter struct{ l *Logger }

func (w stdLogWriter) Write(p []byte) (int, error) {
	w.l.Notice().Msg(string(trimNewline(p)))
	return len(p), nil
}

// redirectStd points slog.Default at a handler on this package (logger
// "slog") and the log package at the logger "log". When prev already did
// it, prev's saved state is carried over so Close restores the original.
func redirectStd(prev *stdRedirect) *stdRedirect {
	if prev != nil {
		return prev
	}
	s := &stdRedirect{out: log.Writer(), flags: log.Flags(), prefix: log.Prefix(), slog: slog.Default()}
	slog.SetDefault(slog.New(NewSlogHandler("slog")))
	// After slog.SetDefault, so that log goes straight to us at NOTICE rather
	// than through slog's bridge at INFO.
	log.SetOutput(stdLogWriter{Get("log")})
	log.SetFlags(0)
	log.SetPrefix("")
	return s
}

func (s *stdRedirect) restore() {
	slog.SetDefault(s.slog)
	log.SetOutput(s.out)
	log.SetFlags(s.flags)
	log.SetPrefix(s.prefix)
}
