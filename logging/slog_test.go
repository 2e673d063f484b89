package logging

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

func TestSlogHandler(t *testing.T) {
	buf, _ := setupText(t, "[logging]\nlevels=\n  lib INFO\n", Options{})
	h := NewSlogHandler("lib")
	sl := slog.New(h)
	sl.Debug("hidden")
	sl.Info("info shown", "n", 3, "ok", true, "d", 1500*time.Millisecond, "err", errors.New("boom"))
	sl.Log(context.Background(), slog.LevelInfo+2, "notice")
	sl.With("conn", 7).WithGroup("req").Warn("grouped", "path", "/x", slog.Group("user", "id", 42))
	sl.Error("error")
	sl.Log(context.Background(), slog.LevelError+4, "critical")
	want := []string{
		`INFO lib [sd n="3" ok="true" d="1.5s" err="boom"] info shown`,
		`NOTICE lib notice`,
		`WARNING lib [sd conn="7" req.path="/x" req.user.id="42"] grouped`,
		`ERROR lib error`,
		`CRITICAL lib critical`,
	}
	got := buf.String()
	for _, w := range want {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if strings.Contains(got, "hidden") || !h.Enabled(context.Background(), slog.LevelInfo) || h.Enabled(context.Background(), slog.LevelDebug) {
		t.Errorf("threshold INFO for lib not honoured:\n%s", got)
	}
}

func TestStdLogRedirectedAndRestored(t *testing.T) {
	before := log.Writer()
	beforeSlog := slog.Default()
	buf, p := setupText(t, "", Options{})
	log.Printf("from the standard library %d", 1)
	slog.Error("from slog default", "k", "v")
	if got := buf.String(); !strings.Contains(got, "NOTICE log from the standard library 1\n") ||
		!strings.Contains(got, `ERROR slog [sd k="v"] from slog default`) {
		t.Errorf("std log / slog not redirected:\n%s", got)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if log.Writer() != before || slog.Default() != beforeSlog {
		t.Error("Close did not restore log and slog defaults")
	}
	if before != os.Stderr {
		t.Logf("note: log writer was %T before", before)
	}
}

// A slog line logged with a context that holds a span (slog.InfoContext)
// carries the span's ids, as a line given Event.Ctx does.
func TestSlogHandlerTraceIDs(t *testing.T) {
	buf, _ := setupText(t, "", Options{})
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 0xf9, 1}, SpanID: trace.SpanID{0, 0xf0, 2}, TraceFlags: trace.FlagsSampled,
	})
	sl := slog.New(NewSlogHandler("lib"))
	sl.WarnContext(trace.ContextWithSpanContext(context.Background(), sc), "traced", "k", "v")
	want := `WARNING lib [sd k="v" trace_id="` + sc.TraceID().String() + `" span_id="` + sc.SpanID().String() + `"] traced`
	if got := buf.String(); !strings.Contains(got, want+"\n") {
		t.Errorf("missing %q in\n%s", want, got)
	}
}
