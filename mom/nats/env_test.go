package nats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/nats"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testURL is the NATS server (with JetStream) of the test machine.
const testURL = "nats://127.0.0.1:4222"

// needServer fails the test when NATS is unreachable, unless
// ASAB_SKIP_NATS=1 asks to skip the tests that need it.
func needServer(t *testing.T) {
	t.Helper()
	nc, err := natsgo.Connect(testURL, natsgo.Timeout(2*time.Second))
	if err == nil {
		nc.Close()
		return
	}
	if os.Getenv("ASAB_SKIP_NATS") == "1" {
		t.Skipf("NATS unreachable and ASAB_SKIP_NATS=1: %v", err)
	}
	t.Fatalf("NATS at 127.0.0.1:4222 is unreachable (set ASAB_SKIP_NATS=1 to skip): %v", err)
}

func unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// space is a stream of its own with the subjects under one prefix.
type space struct {
	stream, prefix string
}

// newSpace returns a unique stream name and subject prefix; the stream is
// deleted from the server when t ends.
func newSpace(t *testing.T, url string) space {
	id := unique("")
	s := space{stream: "ASABTEST_" + id, prefix: "asabtest." + id}
	t.Cleanup(func() { deleteStream(t, url, s.stream) })
	return s
}

func (s space) config(url string) nats.Config {
	return nats.Config{URL: url, Stream: s.stream, Subjects: []string{s.prefix + ".>"},
		ReconnectWait: 100 * time.Millisecond, AckWait: 5 * time.Second}
}

func deleteStream(t *testing.T, url, stream string) {
	nc, err := natsgo.Connect(url)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := js.DeleteStream(ctx, stream); err != nil && !strings.Contains(err.Error(), "not found") {
		t.Errorf("cleanup: delete stream %s: %v", stream, err)
	}
}

// newBroker returns a started, connected broker closed at cleanup.
func newBroker(t *testing.T, cfg nats.Config) *nats.Broker {
	t.Helper()
	b, err := nats.New(cfg)
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

// natsEnv runs the contract suite with a stream per test on the shared
// server.
type natsEnv struct {
	mu     sync.Mutex
	spaces map[*testing.T]space
	n      atomic.Int64
}

func (e *natsEnv) space(t *testing.T) space {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.spaces[t]
	if !ok {
		s = newSpace(t, testURL)
		e.spaces[t] = s
		t.Cleanup(func() {
			e.mu.Lock()
			delete(e.spaces, t)
			e.mu.Unlock()
		})
	}
	return s
}

func (e *natsEnv) NewBroker(t *testing.T) mom.Broker { return newBroker(t, e.space(t).config(testURL)) }

func (e *natsEnv) Queue(t *testing.T) string {
	return e.space(t).prefix + ".q" + strings.TrimPrefix(unique(""), "")
}

func (e *natsEnv) Exchange(t *testing.T) string {
	return e.space(t).prefix + ".x" + unique("")
}
