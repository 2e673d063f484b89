package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	"github.com/asabgo/asab/mom/internal/counts"
)

// TestRetryBackoffThenDeadLetter: a handler that always retries gets the
// message three times (MaxAttempts 3), the second delivery no sooner than
// 300 ms after the first and the third no sooner than 600 ms after the
// second (InitialDelay 300 ms, Factor 2), with Attempt 1, 2, 3; then the
// message is in the dead-letter queue with the last error and the attempt
// in its headers, and counted.
func TestRetryBackoffThenDeadLetter(t *testing.T) {
	needServer(t)
	q, dlx := unique("asab.test.retry"), unique("asab.test.retrydlx")
	deleteLater(t, q, "")
	deleteLater(t, dlx, dlx)
	policy := mom.RetryPolicy{MaxAttempts: 3, InitialDelay: 300 * time.Millisecond, Factor: 2}
	for _, d := range []time.Duration{300 * time.Millisecond, 600 * time.Millisecond} {
		deleteLater(t, q+".retry."+fmt.Sprint(d.Milliseconds())+"ms", "")
	}
	b := newBroker(t, amqp.Config{})
	var mu sync.Mutex
	var attempts []int
	var at []time.Time
	if err := b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, m.Attempt)
		at = append(at, time.Now())
		return nil, mom.Retry(fmt.Errorf("database busy (attempt %d)", m.Attempt))
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{DeadLetterExchange: dlx, Retry: policy}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("job"), q, mom.PublishOptions{Persistent: true, Headers: map[string]any{"x-app": "kept"}}); err != nil {
		t.Fatal(err)
	}
	d, ok := getWithin(t, rawChannel(t), dlx, 15*time.Second)
	if !ok {
		t.Fatal("the message out of attempts never reached the dead-letter queue")
	}
	if string(d.Body) != "job" || d.RoutingKey != q {
		t.Errorf("dead letter %q with key %q, want \"job\" with key %q", d.Body, d.RoutingKey, q)
	}
	if got := d.Headers[mom.LastErrorHeader]; got != "database busy (attempt 3)" {
		t.Errorf("%s = %q, want the last error", mom.LastErrorHeader, got)
	}
	if got := fmt.Sprint(d.Headers[mom.AttemptHeader]); got != "3" {
		t.Errorf("%s = %s, want 3", mom.AttemptHeader, got)
	}
	if d.Headers["x-app"] != "kept" || d.DeliveryMode != 2 {
		t.Errorf("dead letter lost the message's headers %v or persistence (mode %d)", d.Headers, d.DeliveryMode)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(attempts) != "[1 2 3]" {
		t.Fatalf("attempts %v, want [1 2 3]", attempts)
	}
	for i, want := range []time.Duration{300 * time.Millisecond, 600 * time.Millisecond} {
		if gap := at[i+1].Sub(at[i]); gap < want {
			t.Errorf("delivery %d came %v after delivery %d, want at least %v", i+2, gap, i+1, want)
		}
	}
	// The dead letter can arrive before the consumer has settled the
	// original and counted it.
	var s counts.QueueCounts
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s = b.Counters().Snapshot().Queues[q]; s.DeadLettered == 1 && s.Rejected == 1 {
			break
		}
	}
	if s.DeadLettered != 1 || s.Requeued != 2 || s.Rejected != 1 || s.Acked != 0 || s.Dropped != 0 {
		t.Errorf("counters of %q: %+v, want 2 requeued, 1 rejected and dead-lettered", q, s)
	}
}

// TestRetryExhaustedRequestAndDrop: a request whose handler always retries
// gets an error reply with the last error once out of attempts, and with no
// dead-letter exchange the message is dropped and counted.
func TestRetryExhaustedRequestAndDrop(t *testing.T) {
	needServer(t)
	q := unique("asab.test.retryreq")
	deleteLater(t, q, "")
	deleteLater(t, q+".retry.100ms", "")
	b := newBroker(t, amqp.Config{})
	if err := b.Add(q, func(context.Context, *mom.Message) ([]byte, error) {
		return nil, mom.Retry(errors.New("still locked"))
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	policy := mom.RetryPolicy{MaxAttempts: 2, InitialDelay: 100 * time.Millisecond}
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{Retry: policy}); err != nil {
		t.Fatal(err)
	}
	_, err := b.Request(ctx, []byte("lock"), q, mom.PublishOptions{})
	var re *mom.RemoteError
	if !errors.As(err, &re) || !strings.Contains(re.Message, "still locked") {
		t.Fatalf("request = %v, want a RemoteError with the last error", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Counters().Snapshot().Queues[q].Dropped != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("counters of %q: %+v, want one dropped", q, b.Counters().Snapshot().Queues[q])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRetryPolicyNeedsANamedQueue: an exchange subscription's queue is
// server-named and renamed on every connection, so a delay queue could not
// send messages back to it; Subscribe says so.
func TestRetryPolicyNeedsANamedQueue(t *testing.T) {
	needServer(t)
	b := newBroker(t, amqp.Config{})
	x := unique("asab.test.x")
	deleteLater(t, "", x)
	err := b.Subscribe(context.Background(), "", mom.SubscribeOptions{Exchange: x, RoutingKeys: []string{"#"},
		Retry: mom.RetryPolicy{MaxAttempts: 3}})
	if err == nil || !strings.Contains(err.Error(), "named queue") {
		t.Fatalf("Subscribe = %v, want an error saying a named queue is needed", err)
	}
}

// TestUnroutableCounted: a message no queue takes is still published
// (the contract), but the server returns it and the broker counts it.
func TestUnroutableCounted(t *testing.T) {
	needServer(t)
	b := newBroker(t, amqp.Config{})
	nowhere := unique("asab.test.nowhere")
	if err := b.Publish(context.Background(), []byte("lost"), nowhere, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Counters().Snapshot().Targets[nowhere].Unroutable != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("counters of %q: %+v, want one unroutable", nowhere, b.Counters().Snapshot().Targets[nowhere])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
