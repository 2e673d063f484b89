package mom_test

import (
	"context"
	"testing"

	"github.com/asabgo/asab/mom"
)

// BenchmarkLocalPublish publishes 256-byte messages into a queue whose
// consumer does nothing: the publisher's cost, with consumption running
// alongside.
func BenchmarkLocalPublish(b *testing.B) {
	ctx := context.Background()
	br := mom.NewLocalBroker(mom.LocalOptions{})
	defer br.Close(ctx)
	body := make([]byte, 256)
	_ = br.Subscribe(ctx, "sink", mom.SubscribeOptions{})
	_ = br.Add("sink", func(context.Context, *mom.Message) ([]byte, error) { return nil, nil })
	b.ReportAllocs()
	for b.Loop() {
		if err := br.Publish(ctx, body, "sink", mom.PublishOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocalPublishConsume is one message through: publish, handler,
// acknowledge (the handler signals the publisher).
func BenchmarkLocalPublishConsume(b *testing.B) {
	ctx := context.Background()
	br := mom.NewLocalBroker(mom.LocalOptions{Prefetch: 1})
	defer br.Close(ctx)
	body := make([]byte, 256)
	done := make(chan struct{}, 1)
	_ = br.Add("q", func(context.Context, *mom.Message) ([]byte, error) { done <- struct{}{}; return nil, nil })
	_ = br.Subscribe(ctx, "q", mom.SubscribeOptions{})
	b.ReportAllocs()
	for b.Loop() {
		if err := br.Publish(ctx, body, "q", mom.PublishOptions{}); err != nil {
			b.Fatal(err)
		}
		<-done
	}
}

// BenchmarkLocalRequest is one request/reply round trip.
func BenchmarkLocalRequest(b *testing.B) {
	ctx := context.Background()
	br := mom.NewLocalBroker(mom.LocalOptions{})
	defer br.Close(ctx)
	body := make([]byte, 256)
	_ = br.Add("echo", func(_ context.Context, m *mom.Message) ([]byte, error) { return m.Body, nil })
	_ = br.Subscribe(ctx, "echo", mom.SubscribeOptions{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := br.Request(ctx, body, "echo", mom.PublishOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
