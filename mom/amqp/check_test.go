package amqp_test

import (
	"context"
	"testing"
	"time"

	"github.com/asabgo/asab/mom/amqp"
)

// waitHealth polls b.CheckHealth until it passes (want true) or fails.
func waitHealth(t *testing.T, b *amqp.Broker, want bool) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err = b.CheckHealth(context.Background()); (err == nil) == want {
			return
		}
	}
	t.Fatalf("CheckHealth = %v after 20 s, want passing %v", err, want)
}

// TestCheckHealthFollowsTheConnection: through a TCP proxy to the real
// RabbitMQ, the check passes while connected, fails once the connection is
// cut and the proxy refuses, and passes again after the reconnect.
func TestCheckHealthFollowsTheConnection(t *testing.T) {
	needServer(t)
	p := newProxy(t, "127.0.0.1:5672")
	b := newBroker(t, amqp.Config{URL: p.URL(), ReconnectDelay: 50 * time.Millisecond})
	waitHealth(t, b, true)
	p.Refuse(true)
	p.Cut()
	waitHealth(t, b, false)
	p.Refuse(false)
	waitHealth(t, b, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckHealth(ctx); err == nil {
		t.Fatal("CheckHealth passes on a closed broker")
	}
}
