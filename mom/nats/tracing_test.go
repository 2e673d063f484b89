package nats_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/internal/otlptest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/tracing"
)

// A request over NATS JetStream with the tracing service: the requester's
// publish span is the parent of the handler's process span (through the
// traceparent header of the stored message), and the reply, a core NATS
// message, carries the process span.
func TestRequestTracedOverNATS(t *testing.T) {
	needServer(t)
	recv := otlptest.Start(t)
	conf := asabtest.JSONLogConfig(t.TempDir()+"/log.json") +
		fmt.Sprintf("[tracing]\nexporter=otlp-http\nendpoint=%s\nbatch_timeout=100ms\n", recv.URL())
	r := asabtest.New(t, conf).AddModule(tracing.Module).Start()
	ts := asabtest.Service[*tracing.Service](t, r)

	sp := newSpace(t, testURL)
	b := newBroker(t, sp.config(testURL))
	b.SetTracer(ts)
	target := sp.prefix + ".traced"
	if err := b.Add(target, func(context.Context, *mom.Message) ([]byte, error) { return []byte("ok"), nil }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, target, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	reply, err := b.Request(ctx, []byte("x"), target, mom.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]otlptest.Span{}
	for _, s := range recv.Wait(t, 2, 10*time.Second) {
		by[s.Name] = s
	}
	pub, proc := by["publish "+target], by["process "+target]
	if pub.SpanID == "" || proc.TraceID != pub.TraceID || proc.ParentSpanID != pub.SpanID {
		t.Fatalf("publish %+v\nprocess %+v: want process a child of publish", pub, proc)
	}
	if pub.Attributes["messaging.system"] != "nats" || proc.Attributes["messaging.destination.subscription.name"] != target {
		t.Errorf("publish %v process %v", pub.Attributes, proc.Attributes)
	}
	if tp := fmt.Sprint(reply.Headers["traceparent"]); tp != "00-"+pub.TraceID+"-"+proc.SpanID+"-01" {
		t.Errorf("the reply's traceparent is %q, want the process span %s", tp, proc.SpanID)
	}
}
