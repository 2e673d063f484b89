package amqp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// testURL is the RabbitMQ of the test machine.
const testURL = "amqp://guest:guest@127.0.0.1:5672/"

// needServer fails the test when RabbitMQ is unreachable, unless
// ASAB_SKIP_AMQP=1 asks to skip the tests that need it.
func needServer(t *testing.T) {
	t.Helper()
	conn, err := amqp091.Dial(testURL)
	if err == nil {
		_ = conn.Close()
		return
	}
	if os.Getenv("ASAB_SKIP_AMQP") == "1" {
		t.Skipf("RabbitMQ unreachable and ASAB_SKIP_AMQP=1: %v", err)
	}
	t.Fatalf("RabbitMQ at 127.0.0.1:5672 is unreachable (set ASAB_SKIP_AMQP=1 to skip): %v", err)
}

func unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "." + hex.EncodeToString(b[:])
}

// newBroker returns a started, connected broker closed at cleanup.
func newBroker(t *testing.T, cfg amqp.Config) *amqp.Broker {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = testURL
	}
	b, err := amqp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	if err := b.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	return b
}

// deleteLater removes queues or exchanges through a connection of its own.
func deleteLater(t *testing.T, queue, exchange string) {
	t.Cleanup(func() {
		conn, err := amqp091.Dial(testURL)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		if queue != "" {
			_, _ = ch.QueueDelete(queue, false, false, false)
		}
		if exchange != "" {
			_ = ch.ExchangeDelete(exchange, false, false)
		}
	})
}

type amqpEnv struct{}

func (amqpEnv) NewBroker(t *testing.T) mom.Broker {
	return newBroker(t, amqp.Config{MaxReconnectDelay: time.Second})
}

func (amqpEnv) Queue(t *testing.T) string {
	q := unique("asab.test.q")
	deleteLater(t, q, "")
	return q
}

// Exchange also removes the queue of the same name that Subscribe declares
// when the exchange is used as a dead-letter exchange.
func (amqpEnv) Exchange(t *testing.T) string {
	x := unique("asab.test.x")
	deleteLater(t, x, x)
	return x
}

// rawChannel is a channel on a connection of the test's own, closed at
// cleanup, for looking at the server's side of things.
func rawChannel(t *testing.T) *amqp091.Channel {
	t.Helper()
	conn, err := amqp091.Dial(testURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// getWithin polls queue with basic.get until a message arrives or the
// time is up, and acknowledges it.
func getWithin(t *testing.T, ch *amqp091.Channel, queue string, within time.Duration) (amqp091.Delivery, bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		d, ok, err := ch.Get(queue, true)
		if err != nil {
			t.Fatalf("basic.get on %q: %v", queue, err)
		}
		if ok || time.Now().After(deadline) {
			return d, ok
		}
		time.Sleep(20 * time.Millisecond)
	}
}
