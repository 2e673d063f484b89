package nats_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/nats"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestSubscribeBeforeStart: a subscription made before Start is recorded
// and consumes once the broker is started.
func TestSubscribeBeforeStart(t *testing.T) {
	needServer(t)
	sp := newSpace(t, testURL)
	q := sp.prefix + ".early"
	b, err := nats.New(sp.config(testURL))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	_ = b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		got <- string(m.Body)
		return nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("x"), q, mom.PublishOptions{}); err == nil {
		t.Fatal("publish before Start succeeded")
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Close(context.Background())
	if err := b.Publish(ctx, []byte("early"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case body := <-got:
		if body != "early" {
			t.Fatalf("got %q", body)
		}
	case <-ctx.Done():
		t.Fatal("the early subscription never consumed")
	}
}

// TestStartsWhileServerDown: a broker starts with no server listening,
// Publish waits (bounded by its context), and once a server comes up on
// that address the broker connects and publishes.
func TestStartsWhileServerDown(t *testing.T) {
	srv := startPrivateServer(t)
	srv.stop(syscall.SIGKILL)
	sp := space{stream: "ASABDOWN", prefix: "asabdown"}
	b, err := nats.New(sp.config(srv.url()))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if err := b.Publish(short, []byte("x"), sp.prefix+".q", mom.PublishOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("publish with the server down = %v, want DeadlineExceeded", err)
	}
	if b.Counters().Snapshot().Connected {
		t.Fatal("reports connected with the server down")
	}
	srv.start()
	if err := b.Publish(ctx, []byte("x"), sp.prefix+".q", mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if !b.Counters().Snapshot().Connected {
		t.Fatal("reports disconnected after a publish went through")
	}
}

// TestConsumerRestored: when the server loses a subscription's consumer
// (here: deleted by an operator), the broker creates it again and goes on
// consuming. The new durable consumer starts from the stream's first
// message on its subject (the acknowledgements were lost with the old
// one), so "before" may come again: at-least-once.
func TestConsumerRestored(t *testing.T) {
	needServer(t)
	sp := newSpace(t, testURL)
	q := sp.prefix + ".restored"
	b := newBroker(t, sp.config(testURL))
	got := make(chan string, 4)
	_ = b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		got <- string(m.Body)
		return nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	receive := func(want string) {
		t.Helper()
		select {
		case body := <-got:
			if body != want {
				t.Fatalf("got %q, want %q", body, want)
			}
		case <-ctx.Done():
			t.Fatalf("%q never arrived", want)
		}
	}
	if err := b.Publish(ctx, []byte("before"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	receive("before")
	nc, err := natsgo.Connect(testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	// The server may answer a delete racing with its own writes with an
	// error (unlinkat: directory not empty); ask again until it is gone.
	for {
		err := js.DeleteConsumer(ctx, sp.stream, "asab_"+strings.ReplaceAll(q, ".", "_"))
		if err == nil || errors.Is(err, jetstream.ErrConsumerNotFound) {
			break
		}
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := b.Publish(ctx, []byte("after"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case body := <-got:
			if body == "after" {
				return
			}
			if body != "before" {
				t.Fatalf("got %q", body)
			}
		case <-ctx.Done():
			t.Fatal("nothing consumed after the consumer was deleted")
		}
	}
}

// TestMaxDeliverCountedExpired: a message whose handler never answers is
// delivered again after ack_wait until max_deliver; then the server gives
// up on it, and the broker logs and counts it as expired.
func TestMaxDeliverCountedExpired(t *testing.T) {
	needServer(t)
	sp := newSpace(t, testURL)
	q := sp.prefix + ".hung"
	cfg := sp.config(testURL)
	cfg.AckWait, cfg.MaxDeliver = 300*time.Millisecond, 2
	b := newBroker(t, cfg)
	deliveries := make(chan int, 4)
	_ = b.Add(q, func(ctx context.Context, m *mom.Message) ([]byte, error) {
		deliveries <- m.Attempt
		<-ctx.Done() // hangs until the broker closes
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, []byte("x"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		if s := b.Counters().Snapshot().Queues[q]; s.Expired == 1 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("not counted as expired: %+v", b.Counters().Snapshot().Queues[q])
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n := len(deliveries); n != 2 {
		t.Fatalf("%d deliveries, want max_deliver = 2", n)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	_ = b.Close(short) // cuts the hung handlers off
}

// TestStreamCreatedByManyAtOnce: brokers that find the stream missing at
// the same moment all create it; whichever loses the race uses the one the
// winner made (nats-server 2.9 answers the loser "subjects overlap with an
// existing stream", later servers "name already in use").
func TestStreamCreatedByManyAtOnce(t *testing.T) {
	needServer(t)
	for round := range 60 {
		sp := newSpace(t, testURL)
		brokers := make([]*nats.Broker, 8)
		for i := range brokers {
			brokers[i] = newBroker(t, sp.config(testURL))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs := make(chan error, len(brokers))
		start := make(chan struct{})
		for i, b := range brokers {
			go func() {
				<-start
				q := sp.prefix + ".q" + strconv.Itoa(i)
				if err := b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { return nil, nil }); err != nil {
					errs <- err
					return
				}
				errs <- b.Subscribe(ctx, q, mom.SubscribeOptions{})
			}()
		}
		close(start)
		for range brokers {
			if err := <-errs; err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
		cancel()
	}
}
