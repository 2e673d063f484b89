package logging

import (
	"io"
	"log"
	"log/slog"
)

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
