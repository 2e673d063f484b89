// Command mom compares the asab AMQP broker (mom/amqp) with raw amqp091-go
// under the same settings: publisher confirms on, 256-byte messages, the
// same prefetch and the same concurrency. It needs RabbitMQ (default
// amqp://guest:guest@127.0.0.1:5672/) and prints msgs/s for publishing and
// consuming, the ratio asab/raw, and request/reply round-trip p50/p99.
//
//	go run ./bench/mom -n 20000 -rounds 2
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
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

type settings struct {
	url        string
	n          int
	size       int
	prefetch   int
	publishers int
	requests   int
	rounds     int
}

func main() {
	var s settings
	flag.StringVar(&s.url, "url", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	flag.IntVar(&s.n, "n", 20000, "messages per publish/consume run")
	flag.IntVar(&s.size, "size", 256, "message size in bytes")
	flag.IntVar(&s.prefetch, "prefetch", 50, "prefetch count (and consumer workers) for both")
	flag.IntVar(&s.publishers, "publishers", 32, "concurrent publishers for both")
	flag.IntVar(&s.requests, "requests", 2000, "sequential request/reply round trips")
	flag.IntVar(&s.rounds, "rounds", 2, "alternating rounds; the median of each is reported")
	flag.Parse()
	if err := run(s); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(s settings) error {
	ctx := context.Background()
	admin, err := amqp091.Dial(s.url)
	if err != nil {
		return err
	}
	defer admin.Close()
	body := make([]byte, s.size)
	_, _ = rand.Read(body)

	rates := map[string][]float64{}
	var ours, raw []time.Duration
	for round := range s.rounds {
		for _, side := range []string{"asab", "raw"} {
			q, err := tempQueue(admin)
			if err != nil {
				return err
			}
			pub, con, err := measure(ctx, s, side, q, body)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", side, round, err)
			}
			rates[side+" publish"] = append(rates[side+" publish"], pub)
			rates[side+" consume"] = append(rates[side+" consume"], con)
			if err := dropQueue(admin, q); err != nil {
				return err
			}
		}
	}
	if ours, err = roundTrips(ctx, s, "asab", body); err != nil {
		return err
	}
	if raw, err = roundTrips(ctx, s, "raw", body); err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("settings: %d msgs x %d B, confirms on, prefetch %d, %d publishers, median of %d rounds; loadavg %s",
		s.n, s.size, s.prefetch, s.publishers, s.rounds, load)
	fmt.Printf("%-8s %14s %14s %8s\n", "", "asab msgs/s", "raw msgs/s", "ratio")
	for _, what := range []string{"publish", "consume"} {
		a, r := medianOf(rates["asab "+what]), medianOf(rates["raw "+what])
		fmt.Printf("%-8s %14.0f %14.0f %8.2f\n", what, a, r, a/r)
	}
	fmt.Printf("request/reply (%d sequential): asab p50 %v p99 %v; raw p50 %v p99 %v\n", s.requests,
		pct(ours, 50), pct(ours, 99), pct(raw, 50), pct(raw, 99))
	return nil
}

func tempQueue(conn *amqp091.Connection) (string, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "asab.bench." + hex.EncodeToString(b[:])
	ch, err := conn.Channel()
	if err != nil {
		return "", err
	}
	defer ch.Close()
	_, err = ch.QueueDeclare(name, true, false, false, false, nil)
	return name, err
}

func dropQueue(conn *amqp091.Connection, q string) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	_, err = ch.QueueDelete(q, false, false, false)
	return err
}

// measure publishes s.n messages to q with s.publishers goroutines, then
// consumes them all, and returns both rates in msgs/s.
func measure(ctx context.Context, s settings, side, q string, body []byte) (pub, con float64, err error) {
	if side == "asab" {
		b, err := amqp.New(amqp.Config{URL: s.url, PrefetchCount: s.prefetch})
		if err != nil {
			return 0, 0, err
		}
		defer b.Close(ctx)
		if err := b.Start(ctx); err != nil {
			return 0, 0, err
		}
		if err := b.WaitConnected(ctx); err != nil {
			return 0, 0, err
		}
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
	conn, err := amqp091.Dial(s.url)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, 0, err
	}
	if err := ch.Confirm(false); err != nil {
		return 0, 0, err
	}
	pub, err = timed(s.n, func() error {
		return parallel(s.publishers, s.n, func(int) error {
			dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", q, false, false, amqp091.Publishing{Body: body})
			if err != nil {
				return err
			}
			if ok, err := dc.WaitContext(ctx); err != nil || !ok {
				return fmt.Errorf("not confirmed: %v", err)
			}
			return nil
		})
	})
	if err != nil {
		return 0, 0, err
	}
	cch, err := conn.Channel()
	if err != nil {
		return 0, 0, err
	}
	if err := cch.Qos(s.prefetch, 0, false); err != nil {
		return 0, 0, err
	}
	con, err = timed(s.n, func() error {
		deliveries, err := cch.Consume(q, "raw", false, false, false, false, nil)
		if err != nil {
			return err
		}
		var got atomic.Int64
		done := make(chan struct{})
		var wg sync.WaitGroup
		for range s.prefetch {
			wg.Go(func() {
				for d := range deliveries {
					_ = d.Ack(false)
					if got.Add(1) == int64(s.n) {
						close(done)
					}
				}
			})
		}
		<-done
		_ = cch.Cancel("raw", false)
		wg.Wait()
		return nil
	})
	return pub, con, err
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
// the client on separate connections.
func roundTrips(ctx context.Context, s settings, side string, body []byte) ([]time.Duration, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	q := "asab.bench.rpc." + hex.EncodeToString(b[:])
	lat := make([]time.Duration, 0, s.requests)
	if side == "asab" {
		// The queue is durable: delete it after the brokers closed.
		defer func() {
			if conn, err := amqp091.Dial(s.url); err == nil {
				_ = dropQueue(conn, q)
				conn.Close()
			}
		}()
		var brokers []*amqp.Broker
		for range 2 {
			br, err := amqp.New(amqp.Config{URL: s.url, PrefetchCount: s.prefetch})
			if err != nil {
				return nil, err
			}
			defer br.Close(ctx)
			_ = br.Start(ctx)
			if err := br.WaitConnected(ctx); err != nil {
				return nil, err
			}
			brokers = append(brokers, br)
		}
		server, client := brokers[0], brokers[1]
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
	sconn, err := amqp091.Dial(s.url)
	if err != nil {
		return nil, err
	}
	defer sconn.Close()
	cconn, err := amqp091.Dial(s.url)
	if err != nil {
		return nil, err
	}
	defer cconn.Close()
	sch, _ := sconn.Channel()
	_ = sch.Confirm(false)
	_ = sch.Qos(s.prefetch, 0, false)
	if _, err := sch.QueueDeclare(q, false, true, false, false, nil); err != nil {
		return nil, err
	}
	reqs, err := sch.Consume(q, "", false, false, false, false, nil)
	if err != nil {
		return nil, err
	}
	go func() {
		for d := range reqs {
			dc, err := sch.PublishWithDeferredConfirmWithContext(ctx, "", d.ReplyTo, false, false,
				amqp091.Publishing{Body: d.Body, CorrelationId: d.CorrelationId})
			if err == nil {
				dc.Wait()
			}
			_ = d.Ack(false)
		}
	}()
	cch, _ := cconn.Channel()
	_ = cch.Confirm(false)
	rq, err := cch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return nil, err
	}
	replies, err := cch.Consume(rq.Name, "", true, true, false, false, nil)
	if err != nil {
		return nil, err
	}
	for i := range s.requests {
		id := strconv.Itoa(i)
		start := time.Now()
		dc, err := cch.PublishWithDeferredConfirmWithContext(ctx, "", q, false, false,
			amqp091.Publishing{Body: body, CorrelationId: id, ReplyTo: rq.Name})
		if err != nil {
			return nil, err
		}
		dc.Wait()
		for r := range replies {
			if r.CorrelationId == id {
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
