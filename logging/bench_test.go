package logging

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// benchPipeline makes a pipeline with the given outputs current.
func benchPipeline(b *testing.B, outs ...*output) *Pipeline {
	p := newPipeline(LevelNotice, nil, time.Now)
	p.setOutputs(outs)
	use(b, p)
	return p
}

// benchLines logs b.N NOTICE lines with 3 fields through L, flushing p
// every 512 lines, so the queue never overflows and the time per line
// includes rendering and writing it, not only queueing it; dropped/op
// shows that no line was dropped.
func benchLines(b *testing.B, p *Pipeline, L *Logger) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		L.Notice().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd")
		if i++; i%512 == 0 {
			p.Flush()
		}
	}
	p.Flush()
	b.ReportMetric(float64(p.Dropped())/float64(b.N), "dropped/op")
}

// benchFile returns a file output as Setup makes it (flush_interval 1s).
func benchFile(b *testing.B, name string) *output {
	fs, err := newFileSink(&fileSink{path: filepath.Join(b.TempDir(), name), clock: time.Now, errw: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	o := newOutput("file", renderer{format: formatText, sdID: "sd"}, fs, fileQueue)
	o.interval, o.holdMax = time.Second, fileBufSize
	return o
}

// BenchmarkFilteredDebug: a DEBUG line below the NOTICE threshold.
func BenchmarkFilteredDebug(b *testing.B) {
	benchPipeline(b, newStreamOutput(io.Discard, formatText, "sd", false, consoleQueue))
	L := Get("bench")
	b.ReportAllocs()
	for b.Loop() {
		L.Debug().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("filtered out")
	}
}

// BenchmarkFilteredDebugCheck: the filtered-out check alone (no fields),
// what the logger itself costs; the rest of FilteredDebug is zerolog's
// nil-receiver field methods, the same as in RawZerologFiltered.
func BenchmarkFilteredDebugCheck(b *testing.B) {
	benchPipeline(b, newStreamOutput(io.Discard, formatText, "sd", false, consoleQueue))
	L := Get("bench")
	b.ReportAllocs()
	for b.Loop() {
		L.Debug().Msg("filtered out")
	}
}

// BenchmarkNoticeDiscard: a NOTICE line with 3 fields rendered as a console
// line and written to io.Discard.
func BenchmarkNoticeDiscard(b *testing.B) {
	p := benchPipeline(b, newStreamOutput(io.Discard, formatText, "sd", false, consoleQueue))
	benchLines(b, p, Get("bench"))
}

// BenchmarkNoticeDiscardJSON: the same line as a JSON line.
func BenchmarkNoticeDiscardJSON(b *testing.B) {
	p := benchPipeline(b, newStreamOutput(io.Discard, formatJSON, "sd", false, consoleQueue))
	benchLines(b, p, Get("bench"))
}

// BenchmarkRawZerologDiscard is the reference: plain zerolog writing the same
// event (time stamp, level, 3 fields, message) to the same writer.
func BenchmarkRawZerologDiscard(b *testing.B) {
	zl := zerolog.New(io.Discard).With().Timestamp().Logger()
	b.ReportAllocs()
	for b.Loop() {
		zl.Warn().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd")
	}
}

// BenchmarkNoticeFile: the NOTICE line appended to a real file.
func BenchmarkNoticeFile(b *testing.B) {
	p := benchPipeline(b, benchFile(b, "b.log"))
	defer p.Close(context.Background())
	benchLines(b, p, Get("bench"))
}

// BenchmarkRawZerologFile: plain zerolog writing to a file, for reference.
func BenchmarkRawZerologFile(b *testing.B) {
	fo, _, err := openFile(filepath.Join(b.TempDir(), "raw.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer fo.Close()
	zl := zerolog.New(fo).With().Timestamp().Logger()
	b.ReportAllocs()
	for b.Loop() {
		zl.Warn().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd")
	}
}

// BenchmarkNoticeSyslogQueue: the NOTICE line formatted as RFC 5424 and put
// on a syslog output's queue, with a sender draining it to a UDP socket
// nobody reads (what the caller pays; drops are counted, not waited for).
func BenchmarkNoticeSyslogQueue(b *testing.B) {
	hdr, _ := newSyslogHeader("5", 16, "host", "bench", 1, "sd")
	sk := newSyslogSink(&syslogSink{addr: syslogAddr{"udp", "127.0.0.1:9"}})
	out := newOutput("syslog", renderer{format: formatSyslog, hdr: hdr}, sk, 10000)
	p := benchPipeline(b, out)
	defer closeSoon(p)
	L := Get("bench")
	b.ReportAllocs()
	for b.Loop() {
		L.Notice().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("Something odd")
	}
	b.ReportMetric(float64(out.dropped.Load())/float64(b.N), "dropped/op")
}

// BenchmarkRawZerologFiltered is the reference for a filtered-out line:
// plain zerolog at level INFO asked for a DEBUG line.
func BenchmarkRawZerologFiltered(b *testing.B) {
	zl := zerolog.New(io.Discard).Level(zerolog.InfoLevel)
	b.ReportAllocs()
	for b.Loop() {
		zl.Debug().Str("key", "value").Int("n", 5).Bool("ok", true).Msg("filtered out")
	}
}

// BenchmarkAccessLineFile: a line shaped like the web access log (six
// fields, one a duration) to a file, the web benchmark's hot line, as web/
// writes it: a zerolog event at NOTICE.
func BenchmarkAccessLineFile(b *testing.B) {
	p := benchPipeline(b, benchFile(b, "al.log"))
	defer p.Close(context.Background())
	L := Get("asab.web.al")
	b.ReportAllocs()
	for b.Loop() {
		L.Notice().Str("method", "GET").Str("path", "/hello").Int("status", 200).
			Int64("bytes", 6).Dur("duration", 123456*time.Nanosecond).Str("ip", "127.0.0.1").Send()
	}
}

// BenchmarkRenderNotice: the output goroutine's share of NoticeDiscard
// alone, decoding the NOTICE line's zerolog event and rendering it as a
// console line into a reused buffer (no queue, no write).
func BenchmarkRenderNotice(b *testing.B) {
	ev := []byte(`{"key":"value","n":5,"ok":true,"message":"Something odd"}` + "\n")
	o := newStreamOutput(io.Discard, formatText, "sd", false, consoleQueue)
	e := entry{t: time.Now(), level: LevelNotice, name: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		o.out, o.outEnds = o.out[:0], o.outEnds[:0]
		o.renderEvent(e, ev)
	}
}
