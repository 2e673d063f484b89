package amqp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
)

// TestDeadLetterExchangeIsDeclared: a subscription names a dead-letter
// exchange that does not exist yet. Subscribe declares it, so a queue can
// be bound to it, and a rejected message lands both there and in the
// queue named after the exchange that Subscribe declares beside it.
func TestDeadLetterExchangeIsDeclared(t *testing.T) {
	needServer(t)
	q, dlx, mine := unique("asab.test.dlsrc"), unique("asab.test.dlx"), unique("asab.test.dlmine")
	deleteLater(t, q, "")
	deleteLater(t, dlx, dlx)
	deleteLater(t, mine, "")
	b := newBroker(t, amqp.Config{})
	if err := b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { return nil, errors.New("bad input") }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{DeadLetterExchange: dlx}); err != nil {
		t.Fatal(err)
	}
	ch := rawChannel(t)
	if _, err := ch.QueueDeclare(mine, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(mine, "#", dlx, false, nil); err != nil {
		t.Fatalf("bind a queue to the dead-letter exchange %q: %v", dlx, err)
	}
	if err := b.Publish(ctx, []byte("poison"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, where := range []string{mine, dlx} {
		d, ok := getWithin(t, ch, where, 10*time.Second)
		if !ok {
			t.Fatalf("the rejected message never reached queue %q", where)
		}
		if string(d.Body) != "poison" || d.RoutingKey != q {
			t.Errorf("queue %q got %q with key %q, want \"poison\" with key %q", where, d.Body, d.RoutingKey, q)
		}
	}
	if s := b.Counters().Snapshot().Queues[q]; s.Rejected != 1 || s.DeadLettered != 1 || s.Dropped != 0 {
		t.Errorf("counters of %q: %+v, want one rejected and dead-lettered", q, s)
	}
}

// TestDeadLetterExchangeRefused: a dead-letter exchange that cannot exist
// (amq.* names are the server's and cannot be declared) fails Subscribe
// with an error that names it.
func TestDeadLetterExchangeRefused(t *testing.T) {
	needServer(t)
	q, dlx := unique("asab.test.dlsrc"), unique("amq.asab-missing")
	deleteLater(t, q, "")
	b := newBroker(t, amqp.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := b.Subscribe(ctx, q, mom.SubscribeOptions{DeadLetterExchange: dlx})
	if err == nil || !strings.Contains(err.Error(), dlx) {
		t.Fatalf("Subscribe with the dead-letter exchange %q = %v, want an error naming it", dlx, err)
	}
	// The broker is still usable.
	if err := b.Publish(ctx, []byte("x"), unique("asab.test.nowhere"), mom.PublishOptions{}); err != nil {
		t.Fatalf("publish after the refused subscription: %v", err)
	}
}

// TestNoHandlerDroppedCounted: a message whose target has no handler is
// acknowledged (so it does not loop) and counted as dropped.
func TestNoHandlerDroppedCounted(t *testing.T) {
	needServer(t)
	q := unique("asab.test.nohandler")
	deleteLater(t, q, "")
	b := newBroker(t, amqp.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("orphan"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := b.Counters().Snapshot().Queues[q]
		if s.Dropped == 1 && s.Acked == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("counters of %q: %+v, want one acked and dropped", q, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
