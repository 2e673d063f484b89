// Command nats compares the asab NATS JetStream broker (mom/nats) with raw
// nats.go (its jetstream package) under the same settings: publish waiting
// for each PubAck, 256-byte messages, pull consumers with the same
// max_ack_pending and as many handler goroutines, explicit acks, and the
// same publisher concurrency. It needs nats-server with JetStream (default
// nats://127.0.0.1:4222) and prints msgs/s for publishing and consuming, the
// ratio asab/raw, and request/reply round-trip p50/p99. Each run uses a
// stream of its own, deleted afterwards.
//
//	go run ./bench/nats -n 20000 -rounds 2
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/nats"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type settings struct {
	url        string
	n          int
	size       int
	pending    int
	publishers int
	requests   int
	rounds     int
}

func main() {
	var s settings
	flag.StringVar(&s.url, "url", "nats://127.0.0.1:4222", "NATS URL")
	flag.IntVar(&s.n, "n", 20000, "messages per publish/consume run")
	flag.IntVar(&s.size, "size", 256, "message size in bytes")
	flag.IntVar(&s.pending, "pending", 50, "max_ack_pending (and handler goroutines) for both")
	flag.IntVar(&s.publishers, "publishers", 32, "concurrent publishers for both")
	flag.IntVar(&s.requests, "requests", 2000, "sequential request/reply round trips")
	flag.IntVar(&s.rounds, "rounds", 2, "alternating rounds; the median of each is reported")
	flag.Parse()
	if err := run(s); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// space is a stream of its own and its subject prefix.
type space struct{ stream, prefix string }

func newSpace() space {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return space{stream: "ASABBENCH_" + id, prefix: "asabbench." + id}
}

func run(s settings) error {
	ctx := context.Background()
	admin, err := natsgo.Connect(s.url)
	if err != nil {
		return err
	}
	defer admin.Close()
	ajs, err := jetstream.New(admin)
	if err != nil {
		return err
	}
	body := make([]byte, s.size)
	_, _ = rand.Read(body)

	rates := map[string][]float64{}
	for round := range s.rounds {
		for _, side := range []string{"asab", "raw"} {
			sp := newSpace()
			if _, err := ajs.CreateStream(ctx, jetstream.StreamConfig{Name: sp.stream, Subjects: []string{sp.prefix + ".>"}}); err != nil {
				return err
			}
			pub, con, err := measure(ctx, s, side, sp, body)
			_ = ajs.DeleteStream(ctx, sp.stream)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", side, round, err)
			}
			rates[side+" publish"] = append(rates[side+" publish"], pub)
			rates[side+" consume"] = append(rates[side+" consume"], con)
		}
	}
	lat := map[string][]time.Duration{}
	for _, side := range []string{"asab", "raw"} {
		sp := newSpace()
		if _, err := ajs.CreateStream(ctx, jetstream.StreamConfig{Name: sp.stream, Subjects: []string{sp.prefix + ".>"}}); err != nil {
			return err
		}
		lat[side], err = roundTrips(ctx, s, side, sp, body)
		_ = ajs.DeleteStream(ctx, sp.stream)
		if err != nil {
			return fmt.Errorf("%s round trips: %w", side, err)
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("settings: %d msgs x %d B, PubAck per publish, max_ack_pending %d, %d publishers, median of %d rounds; loadavg %s",
		s.n, s.size, s.pending, s.publishers, s.rounds, load)
	fmt.Printf("%-8s %14s %14s %8s\n", "", "asab msgs/s", "raw msgs/s", "ratio")
	for _, what := range []string{"publish", "consume"} {
		a, r := medianOf(rates["asab "+what]), medianOf(rates["raw "+what])
		fmt.Printf("%-8s %14.0f %14.0f %8.2f\n", what, a, r, a/r)
	}
	fmt.Printf("request/reply (%d sequential): asab p50 %v p99 %v; raw p50 %v p99 %v\n", s.requests,
		pct(lat["asab"], 50), pct(lat["asab"], 99), pct(lat["raw"], 50), pct(lat["raw"], 99))
	return nil
}

func newBroker(ctx context.Context, s settings, sp space) (*nats.Broker, error) {
	b, err := nats.New(nats.Config{URL: s.url, Stream: sp.stream, Subjects: []string{sp.prefix + ".>"}, MaxAckPending: s.pending})
	if err != nil {
		return nil, err
	}
	if err := b.Start(ctx); err != nil {
		return nil, err
	}
	return b, b.WaitConnected(ctx)
}

// measure publishes s.n messages with s.publishers goroutines, then
// consumes them all, and returns both rates in msgs/s.
func measure(ctx context.Context, s settings, side string, sp space, body []byte) (pub, con float64, err error) {
	q := sp.prefix + ".work"
	if side == "asab" {
		b, err := newBroker(ctx, s, sp)
		if err != nil {
			return 0, 0, err
		}
		defer b.Close(ctx)
		pub, err = timed(s.n, func() error {
			return parallel(s.publishers, s.n, func(int) error { return b.Publish(ctx, body, q, mom.PublishOptions{}) })
		})
		if err != nil {
			return 0, 0, err
		}
		var got atomic.Int64
		done := make(chan struct{})
		_ = b.Add(q, func(context.Context, *mom.Message) ([]byte, error) {
			if got.Add(1) == int64(s.n) {
				close(done)
			}
			return nil, nil
		})
		con, err = timed(s.n, func() error {
			if err := b.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
				return err
			}
			<-done
			return nil
		})
		return pub, con, err
	}
	nc, err := natsgo.Connect(s.url)
	if err != nil {
		return 0, 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, 0, err
	}
	pub, err = timed(s.n, func() error {
		return parallel(s.publishers, s.n, func(int) error {
			_, err := js.PublishMsg(ctx, &natsgo.Msg{Subject: q, Data: body})
			return err
		})
	})
	if err != nil {
		return 0, 0, err
	}
	con, err = timed(s.n, func() error {
		cons, err := js.CreateOrUpdateConsumer(ctx, sp.stream, jetstream.ConsumerConfig{Durable: "raw", FilterSubject: q,
			AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: s.pending})
		if err != nil {
			return err
		}
		return consumeN(cons, s, func(m jetstream.Msg) { _ = m.Ack() })
	})
	return pub, con, err
}

// consumeN consumes with s.pending handler goroutines until s.n messages
// were handled.
func consumeN(cons jetstream.Consumer, s settings, handle func(jetstream.Msg)) error {
	work := make(chan jetstream.Msg)
	var got atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range s.pending {
		wg.Go(func() {
			for m := range work {
				handle(m)
				if got.Add(1) == int64(s.n) {
					close(done)
				}
			}
		})
	}
	stop := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case work <- m:
		case <-stop:
		}
	}, jetstream.PullMaxMessages(s.pending))
	if err != nil {
		close(work)
		return err
	}
	<-done
	close(stop)
	cc.Stop()
	<-cc.Closed()
	close(work)
	wg.Wait()
	return nil
}

func timed(n int, fn func() error) (float64, error) {
	start := time.Now()
	if err := fn(); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// parallel runs fn for 0..n-1 on k goroutines.
func parallel(k, n int, fn func(i int) error) error {
	var next atomic.Int64
	errs := make(chan error, k)
	var wg sync.WaitGroup
	for range k {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// roundTrips measures sequential request/reply latencies, the server and
// the client on separate connections: the request stored in the stream
// (PubAck), consumed by a durable consumer, the reply a core NATS message.
func roundTrips(ctx context.Context, s settings, side string, sp space, body []byte) ([]time.Duration, error) {
	q := sp.prefix + ".rpc"
	lat := make([]time.Duration, 0, s.requests)
	if side == "asab" {
		server, err := newBroker(ctx, s, sp)
		if err != nil {
			return nil, err
		}
		defer server.Close(ctx)
		client, err := newBroker(ctx, s, sp)
		if err != nil {
			return nil, err
		}
		defer client.Close(ctx)
		_ = server.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) { return m.Body, nil })
		if err := server.Subscribe(ctx, q, mom.SubscribeOptions{}); err != nil {
			return nil, err
		}
		for range s.requests {
			start := time.Now()
			if _, err := client.Request(ctx, body, q, mom.PublishOptions{}); err != nil {
				return nil, err
			}
			lat = append(lat, time.Since(start))
		}
		return lat, nil
	}
	snc, err := natsgo.Connect(s.url)
	if err != nil {
		return nil, err
	}
	defer snc.Close()
	sjs, _ := jetstream.New(snc)
	cons, err := sjs.CreateOrUpdateConsumer(ctx, sp.stream, jetstream.ConsumerConfig{Durable: "rawrpc", FilterSubject: q,
		AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: s.pending})
	if err != nil {
		return nil, err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		h := natsgo.Header{"Id": []string{m.Headers().Get("Id")}}
		_ = snc.PublishMsg(&natsgo.Msg{Subject: m.Headers().Get("Reply"), Data: m.Data(), Header: h})
		_ = m.Ack()
	}, jetstream.PullMaxMessages(s.pending))
	if err != nil {
		return nil, err
	}
	defer cc.Stop()
	cnc, err := natsgo.Connect(s.url)
	if err != nil {
		return nil, err
	}
	defer cnc.Close()
	cjs, _ := jetstream.New(cnc)
	inbox := cnc.NewInbox()
	replies := make(chan *natsgo.Msg, 16)
	sub, err := cnc.ChanSubscribe(inbox, replies)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	for i := range s.requests {
		id := strconv.Itoa(i)
		start := time.Now()
		if _, err := cjs.PublishMsg(ctx, &natsgo.Msg{Subject: q, Data: body,
			Header: natsgo.Header{"Id": []string{id}, "Reply": []string{inbox}}}); err != nil {
			return nil, err
		}
		for r := range replies {
			if r.Header.Get("Id") == id {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	return lat, nil
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(time.Microsecond)
}

// medianOf returns the median of the rounds' rates.
func medianOf(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
