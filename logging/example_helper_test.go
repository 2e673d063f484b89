package logging_test

import (
	"log/slog"
	"time"
)

// slogRecord builds a WARNING slog record with attributes.
func slogRecord(msg string, args ...any) slog.Record {
	r := slog.NewRecord(time.Time{}, slog.LevelWarn, msg, 0)
	r.Add(args...)
	return r
}
