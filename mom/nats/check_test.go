package nats_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/mom/nats"
)

// TestCheckHealthFollowsTheConnection: a broker connected to the real NATS
// passes; one whose server does not answer fails, naming the URL; a closed
// broker fails.
func TestCheckHealthFollowsTheConnection(t *testing.T) {
	needServer(t)
	b := newBroker(t, newSpace(t, testURL).config(testURL))
	if err := b.CheckHealth(context.Background()); err != nil {
		t.Fatalf("connected broker: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckHealth(ctx); err == nil {
		t.Fatal("CheckHealth passes on a closed broker")
	}

	down, err := nats.New(nats.Config{URL: "nats://127.0.0.1:1", Stream: "ASABTEST_DOWN", ReconnectWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = down.Close(ctx) }()
	if err := down.CheckHealth(ctx); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("CheckHealth of a broker without a server = %v, want an error naming the URL", err)
	}
}
