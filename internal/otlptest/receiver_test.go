package otlptest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/asabgo/asab/internal/otlptest"
)

// sendTwo exports a parent and a child span through exp and shuts it down.
func sendTwo(t *testing.T, exp sdktrace.SpanExporter) (parent, child trace.SpanContext) {
	t.Helper()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "recv-test"))))
	tr := tp.Tracer("scope-a")
	ctx, p := tr.Start(context.Background(), "parent", trace.WithSpanKind(trace.SpanKindServer))
	_, c := tr.Start(ctx, "child", trace.WithAttributes(attribute.Int("n", 3), attribute.StringSlice("l", []string{"a", "b"})))
	c.End()
	p.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p.SpanContext(), c.SpanContext()
}

func check(t *testing.T, spans []otlptest.Span, parent, child trace.SpanContext) {
	t.Helper()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	c, p := spans[0], spans[1] // the child ended first
	if c.Name != "child" || p.Name != "parent" {
		t.Fatalf("names %q %q", c.Name, p.Name)
	}
	if p.TraceID != parent.TraceID().String() || p.SpanID != parent.SpanID().String() || p.ParentSpanID != "" {
		t.Errorf("parent %+v, want ids %s/%s and no parent", p, parent.TraceID(), parent.SpanID())
	}
	if c.TraceID != p.TraceID || c.SpanID != child.SpanID().String() || c.ParentSpanID != p.SpanID {
		t.Errorf("child %+v: want the parent's trace and the parent as parent", c)
	}
	if p.Kind != "SPAN_KIND_SERVER" || c.Attributes["n"] != "3" || c.Attributes["l"] != "[a b]" ||
		c.Resource["service.name"] != "recv-test" || c.Scope != "scope-a" || c.StatusCode != "STATUS_CODE_UNSET" {
		t.Errorf("child %+v parent %+v", c, p)
	}
}

func TestHTTPReceiverWithTheSDKExporter(t *testing.T) {
	for _, gz := range []bool{false, true} {
		r := otlptest.Start(t)
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(r.URL() + otlptest.TracesPath)}
		if gz {
			opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}
		exp, err := otlptracehttp.New(context.Background(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		parent, child := sendTwo(t, exp)
		check(t, r.Wait(t, 2, 5*time.Second), parent, child)
		if r.Requests() != 2 {
			t.Errorf("gzip %v: %d requests, want 2 (a syncer exports each span)", gz, r.Requests())
		}
	}
}

func TestGRPCReceiverWithTheSDKExporter(t *testing.T) {
	r := otlptest.StartGRPC(t)
	exp, err := otlptracegrpc.New(context.Background(), otlptracegrpc.WithEndpointURL(r.URL()))
	if err != nil {
		t.Fatal(err)
	}
	parent, child := sendTwo(t, exp)
	check(t, r.Wait(t, 2, 5*time.Second), parent, child)
}

func TestHTTPReceiverRejectsBadRequests(t *testing.T) {
	r := otlptest.Start(t)
	post := func(ct, enc string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, r.URL()+otlptest.TracesPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if enc != "" {
			req.Header.Set("Content-Encoding", enc)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if c := post("application/json", "", []byte("{}")); c != http.StatusUnsupportedMediaType {
		t.Errorf("JSON: %d, want 415", c)
	}
	if c := post("application/x-protobuf", "", []byte{0xff, 0xff, 0xff}); c != http.StatusBadRequest {
		t.Errorf("garbage: %d, want 400", c)
	}
	if c := post("application/x-protobuf", "gzip", []byte("not gzip")); c != http.StatusBadRequest {
		t.Errorf("bad gzip: %d, want 400", c)
	}
	short, _ := proto.Marshal(&coltrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{Name: "x", TraceId: []byte{1}}}}}}}})
	if c := post("application/x-protobuf", "", short); c != http.StatusBadRequest {
		t.Errorf("a span with a 1-byte trace id: %d, want 400", c)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(nil)
	zw.Close()
	if c := post("application/x-protobuf", "gzip", buf.Bytes()); c != http.StatusOK {
		t.Errorf("an empty gzip request: %d, want 200", c)
	}
	if len(r.Spans()) != 0 {
		t.Errorf("spans kept from bad requests: %v", r.Spans())
	}
}

func TestWaitSpansEndsWithTheContext(t *testing.T) {
	r := otlptest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.WaitSpans(ctx, 1); err == nil {
		t.Error("WaitSpans returned without spans and without an error")
	}
}

func TestSilentNeverAnswers(t *testing.T) {
	s := otlptest.Silent(t)
	c, err := net.Dial("tcp", s.URL()[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("POST /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	var b [1]byte
	if n, err := c.Read(b[:]); n != 0 || err == nil {
		t.Errorf("read %d bytes, %v: the silent listener answered", n, err)
	}
	s.Close()
	s.Close()
	if s.Accepted() != 1 {
		t.Errorf("accepted %d", s.Accepted())
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := proto.Marshal(&coltrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{Name: "x", TraceId: make([]byte, 16), SpanId: make([]byte, 8)}}}}}}})
	f.Add(good)
	f.Add([]byte{0x0a, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		spans, err := otlptest.Decode(b)
		if err != nil {
			return
		}
		for _, s := range spans {
			if len(s.TraceID) != 32 || len(s.SpanID) != 16 {
				t.Fatalf("span %+v with bad ids", s)
			}
		}
	})
}
