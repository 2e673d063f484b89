package logging

import (
	"context"
	"io"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// A line logged with a context that holds a span carries its trace_id and
// span_id as fields in every format; a line without one carries none.
func TestTraceIDsInEveryFormat(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	hdr5, _ := newSyslogHeader("5", 16, "h", "app", 1, "sd")
	const tid, sid = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	cases := []struct {
		name string
		r    renderer
		want string
	}{
		{"text", renderer{format: formatText, sdID: "sd"}, `[sd k="v" trace_id="` + tid + `" span_id="` + sid + `"] traced`},
		{"json", renderer{format: formatJSON}, `"fields":{"k":"v","trace_id":"` + tid + `","span_id":"` + sid + `"}`},
		{"rfc5424", renderer{format: formatSyslog, hdr: hdr5}, `[sd k="v" trace_id="` + tid + `" span_id="` + sid + `"] traced`},
		{"journal", renderer{format: formatJournal, hdr: syslogHeader{app: "app"}}, `"TRACE_ID":"` + tid + `","SPAN_ID":"` + sid + `"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPipeline(LevelDebug, nil, fixedClock)
			sink := capture(p, c.r)
			use(t, p)
			L := Get("traced")
			L.Notice().Ctx(ctx).Str("k", "v").Msg("traced")
			L.Notice().Str("k", "v").Msg("plain")
			L.Notice().Ctx(context.Background()).Msg("no span")
			lines := sink.get(p)
			if len(lines) != 3 {
				t.Fatalf("lines %q", lines)
			}
			if !strings.Contains(lines[0], c.want) {
				t.Errorf("traced line %q lacks %q", lines[0], c.want)
			}
			for _, l := range lines[1:] {
				if strings.Contains(strings.ToLower(l), "trace_id") {
					t.Errorf("line without a span carries ids: %q", l)
				}
			}
		})
	}
}

// BenchmarkNoticeDiscardCtx: the NOTICE line of NoticeDiscard logged with
// a context holding a span (two more fields); NoticeDiscard itself is the
// line without a context, whose cost for the hook is a nil check.
func BenchmarkNoticeDiscardCtx(b *testing.B) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	p := benchPipeline(b, newStreamOutput(io.Discard, formatText, "sd", false, consoleQueue))
	L := Get("bench")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		L.Notice().Ctx(ctx).Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd")
		if i++; i%512 == 0 {
			p.Flush()
		}
	}
	p.Flush()
}
