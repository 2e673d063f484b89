package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// isQuorum reports whether the server holds queue as a quorum queue: a
// redeclaration as a classic queue (with the queue's other arguments) is
// refused for its x-queue-type.
func isQuorum(t *testing.T, queue string, args amqp091.Table) bool {
	t.Helper()
	ch := rawChannel(t)
	if args == nil {
		args = amqp091.Table{}
	}
	args["x-queue-type"] = "classic"
	_, err := ch.QueueDeclare(queue, true, false, false, false, args)
	var ae *amqp091.Error
	if errors.As(err, &ae) && ae.Code == amqp091.PreconditionFailed && strings.Contains(ae.Reason, "x-queue-type") {
		return true
	}
	if err != nil {
		t.Fatalf("redeclare %q as classic: %v", queue, err)
	}
	return false
}

// TestQuorumQueueDeliveryLimit: a quorum queue with a delivery limit of 2
// delivers a message that is always retried three times, with the attempt
// number from the server's x-delivery-count, then dead-letters it.
func TestQuorumQueueDeliveryLimit(t *testing.T) {
	needServer(t)
	q, dlx := unique("asab.test.quorum"), unique("asab.test.qdlx")
	deleteLater(t, q, "")
	deleteLater(t, dlx, dlx)
	b := newBroker(t, amqp.Config{})
	var mu sync.Mutex
	var attempts []int
	if err := b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		mu.Lock()
		attempts = append(attempts, m.Attempt)
		mu.Unlock()
		return nil, mom.Retry(errors.New("not yet"))
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := b.SubscribeWith(ctx, q, mom.SubscribeOptions{DeadLetterExchange: dlx}, amqp.QueueOptions{Type: amqp.Quorum, DeliveryLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !isQuorum(t, q, amqp091.Table{"x-dead-letter-exchange": dlx, "x-delivery-limit": 2}) {
		t.Fatalf("queue %q is not a quorum queue", q)
	}
	if err := b.Publish(ctx, []byte("stuck"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	d, ok := getWithin(t, rawChannel(t), dlx, 10*time.Second)
	if !ok || string(d.Body) != "stuck" {
		t.Fatalf("dead letter %q (arrived %v), want \"stuck\"", d.Body, ok)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(attempts) != "[1 2 3]" {
		t.Fatalf("attempts %v, want [1 2 3]: the first delivery and two returns under the limit", attempts)
	}
}

// TestQuorumFromConfig: queue_type = quorum makes Subscribe declare quorum
// queues; a bad queue_type or delivery_limit is an error naming the key.
func TestQuorumFromConfig(t *testing.T) {
	needServer(t)
	for conf, want := range map[string]string{
		"queue_type = fast\n":   `[asab:mom:amqp] queue_type = "fast"`,
		"delivery_limit = -1\n": "delivery_limit",
		"delivery_limit = x\n":  "delivery_limit",
	} {
		cfg := config.New()
		if err := cfg.LoadString("t.conf", "[asab:mom:amqp]\nurl = "+testURL+"\n"+conf); err != nil {
			t.Fatal(err)
		}
		if _, err := amqp.FromConfig(cfg, amqp.Section); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want one with %q", conf, err, want)
		}
	}
	cfg := config.New()
	if err := cfg.LoadString("t.conf", "[asab:mom:amqp]\nurl = "+testURL+"\nqueue_type = quorum\ndelivery_limit = 5\n"); err != nil {
		t.Fatal(err)
	}
	mb, err := amqp.FromConfig(cfg, amqp.Section)
	if err != nil {
		t.Fatal(err)
	}
	b := mb.(*amqp.Broker)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	q, classic := unique("asab.test.quorumcfg"), unique("asab.test.classic")
	deleteLater(t, q, "")
	deleteLater(t, classic, "")
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.SubscribeWith(ctx, classic, mom.SubscribeOptions{}, amqp.QueueOptions{Type: amqp.Classic}); err != nil {
		t.Fatal(err)
	}
	if !isQuorum(t, q, amqp091.Table{"x-delivery-limit": 5}) {
		t.Errorf("with queue_type = quorum, queue %q is not a quorum queue", q)
	}
	if isQuorum(t, classic, nil) {
		t.Errorf("queue %q asked to be classic is a quorum queue", classic)
	}
}
