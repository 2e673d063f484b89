package otlptest

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// TracesPath is the path of OTLP/HTTP trace exports.
const TracesPath = "/v1/traces"

// maxBody bounds one export request's (decompressed) body.
const maxBody = 16 << 20

// Span is one received span, with its ids in lower-case hex as W3C
// traceparent writes them.
type Span struct {
	// TraceID is the 32-digit trace id.
	TraceID string
	// SpanID is the 16-digit span id.
	SpanID string
	// ParentSpanID is the parent's span id, "" for a root span.
	ParentSpanID string
	// Name is the span name.
	Name string
	// Kind is the span kind as OTLP names it, such as "SPAN_KIND_SERVER".
	Kind string
	// StatusCode is "STATUS_CODE_UNSET", "STATUS_CODE_OK" or
	// "STATUS_CODE_ERROR".
	StatusCode string
	// Attributes are the span's attributes, each value as text (see
	// valueText).
	Attributes map[string]string
	// Resource are the attributes of the resource that sent the span.
	Resource map[string]string
	// Scope is the name of the instrumentation scope (the tracer).
	Scope string
}

// Receiver is a running OTLP/HTTP trace receiver. Its methods are safe for
// concurrent use.
type Receiver struct {
	srv  *http.Server // nil for a gRPC receiver
	gsrv *grpc.Server // nil for an HTTP receiver
	ln   net.Listener
	done chan struct{}

	mu       sync.Mutex
	spans    []Span
	requests int
	changed  chan struct{} // closed and replaced whenever spans arrive
}

// Start starts a receiver on 127.0.0.1 and a free port; the test's cleanup
// closes it.
func Start(tb testing.TB) *Receiver {
	tb.Helper()
	r, err := Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatalf("otlptest: %v", err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// Listen starts a receiver on addr (host:port); Close stops it.
func Listen(addr string) (*Receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	r := &Receiver{ln: ln, done: make(chan struct{}), changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TracesPath, r.export)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(r.done)
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// StartGRPC starts an OTLP/gRPC receiver (without TLS) on 127.0.0.1 and a
// free port; the test's cleanup closes it.
func StartGRPC(tb testing.TB) *Receiver {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("otlptest: %v", err)
	}
	r := &Receiver{ln: ln, done: make(chan struct{}), changed: make(chan struct{}), gsrv: grpc.NewServer()}
	coltrace.RegisterTraceServiceServer(r.gsrv, grpcService{r: r})
	go func() {
		defer close(r.done)
		_ = r.gsrv.Serve(ln)
	}()
	tb.Cleanup(func() { r.Close() })
	return r
}

// grpcService is the receiver's TraceService.
type grpcService struct {
	coltrace.UnimplementedTraceServiceServer
	r *Receiver
}

// Export keeps the request's spans.
func (g grpcService) Export(_ context.Context, req *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	spans, err := spansOf(req)
	if err != nil {
		return nil, err
	}
	g.r.add(spans)
	return &coltrace.ExportTraceServiceResponse{}, nil
}

// URL is the receiver's base URL, "http://127.0.0.1:PORT"; an OTLP/HTTP
// exporter given it as its endpoint posts to URL+TracesPath, and an
// OTLP/gRPC exporter given it connects without TLS.
func (r *Receiver) URL() string { return "http://" + r.ln.Addr().String() }

// Close stops the receiver and waits for its server goroutine. It may be
// called more than once.
func (r *Receiver) Close() error {
	var err error
	if r.gsrv != nil {
		r.gsrv.Stop()
	} else {
		err = r.srv.Close()
	}
	<-r.done
	return err
}

// Requests returns how many export requests were decoded.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Spans returns the spans received so far, in order of arrival.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// WaitSpans waits until at least n spans have arrived and returns them all,
// or returns what arrived and an error when ctx ends first.
func (r *Receiver) WaitSpans(ctx context.Context, n int) ([]Span, error) {
	for {
		r.mu.Lock()
		got, changed := len(r.spans), r.changed
		r.mu.Unlock()
		if got >= n {
			return r.Spans(), nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return r.Spans(), fmt.Errorf("otlptest: %d of %d spans arrived: %w", got, n, ctx.Err())
		}
	}
}

// Wait is WaitSpans for a test: it fails the test when n spans have not
// arrived within timeout.
func (r *Receiver) Wait(tb testing.TB, n int, timeout time.Duration) []Span {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	spans, err := r.WaitSpans(ctx, n)
	if err != nil {
		tb.Fatalf("%v; received: %v", err, names(spans))
	}
	return spans
}

func names(spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}

// export handles one POST /v1/traces.
func (r *Receiver) export(w http.ResponseWriter, req *http.Request) {
	if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
		http.Error(w, fmt.Sprintf("content type %q: only application/x-protobuf is accepted", ct), http.StatusUnsupportedMediaType)
		return
	}
	var body io.Reader = http.MaxBytesReader(w, req.Body, maxBody)
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			http.Error(w, "gzip: "+err.Error(), http.StatusBadRequest)
			return
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxBody)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	spans, err := Decode(b)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.add(spans)
	resp, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// add keeps the spans of one export request and wakes the waiters.
func (r *Receiver) add(spans []Span) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, spans...)
	r.requests++
	close(r.changed)
	r.changed = make(chan struct{})
}

// Decode decodes a protobuf ExportTraceServiceRequest into its spans.
func Decode(b []byte) ([]Span, error) {
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		return nil, fmt.Errorf("decode ExportTraceServiceRequest: %w", err)
	}
	return spansOf(&req)
}

func spansOf(req *coltrace.ExportTraceServiceRequest) ([]Span, error) {
	var out []Span
	for _, rs := range req.GetResourceSpans() {
		res := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				if len(sp.GetTraceId()) != 16 || len(sp.GetSpanId()) != 8 {
					return nil, errors.New("decode ExportTraceServiceRequest: a span without a 16-byte trace id and an 8-byte span id")
				}
				out = append(out, Span{
					TraceID:      hex.EncodeToString(sp.GetTraceId()),
					SpanID:       hex.EncodeToString(sp.GetSpanId()),
					ParentSpanID: hex.EncodeToString(sp.GetParentSpanId()),
					Name:         sp.GetName(),
					Kind:         sp.GetKind().String(),
					StatusCode:   sp.GetStatus().GetCode().String(),
					Attributes:   attrs(sp.GetAttributes()),
					Resource:     res,
					Scope:        ss.GetScope().GetName(),
				})
			}
		}
	}
	return out, nil
}

func attrs(kvs []*commonpb.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = valueText(kv.GetValue())
	}
	return m
}

// valueText writes an attribute value as text: strings as they are,
// numbers and booleans in Go's %v form, arrays as [a b c].
func valueText(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return fmt.Sprint(x.IntValue)
	case *commonpb.AnyValue_DoubleValue:
		return fmt.Sprint(x.DoubleValue)
	case *commonpb.AnyValue_BoolValue:
		return fmt.Sprint(x.BoolValue)
	case *commonpb.AnyValue_BytesValue:
		return hex.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		parts := make([]string, len(x.ArrayValue.GetValues()))
		for i, e := range x.ArrayValue.GetValues() {
			parts[i] = valueText(e)
		}
		return fmt.Sprint(parts)
	}
	return ""
}
