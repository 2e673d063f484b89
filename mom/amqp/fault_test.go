package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// fault is one disruption, injected once the publishers reach at.
type fault struct {
	at     int
	name   string
	inject func()
	// reconnects says whether the fault costs the clients their
	// connections (a stall within the heartbeat timeout does not).
	reconnects bool
}

// TestFaultProxy publishes 10,000 numbered, persistent messages with
// confirms to the shared broker through a TCP proxy of the test's own,
// which cuts every connection three times, refuses new ones for a second
// (a publish meanwhile fails with its context's error, and is counted),
// and stalls both directions for three seconds. Only this test's own
// connections are disturbed.
func TestFaultProxy(t *testing.T) {
	needServer(t)
	p := newProxy(t, "127.0.0.1:5672")
	// A third client through the proxy tries to publish while refused.
	other := newBroker(t, amqp.Config{URL: p.URL(), ReconnectDelay: 100 * time.Millisecond, MaxReconnectDelay: time.Second})
	refused := unique("asab.test.refused")
	var refusedErr error
	faults := []fault{
		{at: 500, name: "cut", inject: p.Cut, reconnects: true},
		{at: 1500, name: "refuse", reconnects: true, inject: func() {
			p.Refuse(true)
			p.Cut()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			refusedErr = other.Publish(ctx, []byte("x"), refused, mom.PublishOptions{})
			cancel()
			time.Sleep(time.Second)
			p.Refuse(false)
		}},
		{at: 3000, name: "stall", inject: func() { p.Stall(true); time.Sleep(3 * time.Second); p.Stall(false) }},
		{at: 5000, name: "cut", inject: p.Cut, reconnects: true},
		{at: 6500, name: "cut", inject: p.Cut, reconnects: true},
	}
	runFaultTest(t, p.URL(), 10000, faults)
	if !errors.Is(refusedErr, context.DeadlineExceeded) {
		t.Errorf("publish while connections were refused = %v, want DeadlineExceeded", refusedErr)
	}
	if s := other.Counters().Snapshot().Targets[refused]; s.Errors != 1 || s.Published != 0 {
		t.Errorf("counters of the publish while refused: %+v, want one error", s)
	}
}

// TestFaultBrokerRestart runs the same publishing against a private
// RabbitMQ node that the test starts on free ports: its application is
// stopped and started twice, and it closes every connection once
// (connection.close 320, which the server sends, unlike a cut).
func TestFaultBrokerRestart(t *testing.T) {
	n := startRabbitNode(t)
	faults := []fault{
		{at: 300, name: "restart", inject: func() { n.Restart(t, time.Second) }, reconnects: true},
		{at: 1500, name: "close_all_connections", inject: func() { n.ctl(t, "close_all_connections", "test") }, reconnects: true},
		{at: 3000, name: "restart", inject: func() { n.Restart(t, time.Second) }, reconnects: true},
	}
	runFaultTest(t, n.URL(), 4000, faults)
}

// runFaultTest publishes total numbered, persistent messages with
// confirms to url while the faults are injected one after the other.
// Every confirmed message must reach the consumer at least once;
// duplicates are counted and logged; after every fault the consumer must
// resume within 10 s; the publisher counts every publish, and both
// brokers count a reconnection per fault that cost them their connection.
func runFaultTest(t *testing.T, url string, total int, faults []fault) {
	t.Helper()
	q := unique("asab.test.fault")
	if url == testURL || strings.Contains(url, ":5672/") || !strings.HasPrefix(url, "amqp://guest:guest@127.0.0.1:") {
		t.Fatalf("fault test against %s: only through a proxy or on a private node", url)
	}
	t.Cleanup(func() { deleteQueue(t, url, q) })

	fast := amqp.Config{URL: url, ReconnectDelay: 200 * time.Millisecond, MaxReconnectDelay: time.Second, PrefetchCount: 100}
	consumer := newBroker(t, fast)
	var mu sync.Mutex
	seen := make(map[int]int, total)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	probes := make(chan string, 16)
	must(consumer.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		if len(m.Body) > 0 && m.Body[0] == 'p' {
			probes <- string(m.Body)
			return nil, nil
		}
		n, err := strconv.Atoi(string(m.Body))
		if err != nil {
			return nil, fmt.Errorf("not a number: %q", m.Body)
		}
		mu.Lock()
		seen[n]++
		mu.Unlock()
		return nil, nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	must(consumer.Subscribe(ctx, q, mom.SubscribeOptions{}))
	publisher := newBroker(t, fast)

	// Publishing spans the faults, which run one after the other: while
	// faults are pending it is paced (16 publishers, each at most 80/s),
	// and it never runs more than window messages past a fault's start
	// before that fault is over. Then the rest goes at full speed.
	const pause = 12 * time.Millisecond
	const window = 1000
	var next, confirmed atomic.Int64
	var report []string
	faultsDone := make(chan struct{})
	faultDone := make([]chan struct{}, len(faults))
	for i := range faultDone {
		faultDone[i] = make(chan struct{})
	}
	runFault := func(i int, f fault) {
		for next.Load() < int64(f.at) && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		from := confirmed.Load()
		f.inject()
		back := time.Now()
		probe := "p" + strconv.Itoa(i)
		if err := publisher.Publish(ctx, []byte(probe), q, mom.PublishOptions{Persistent: true}); err != nil {
			t.Errorf("probe after fault %d: %v", i, err)
			return
		}
		select {
		case got := <-probes:
			d := time.Since(back)
			report = append(report, fmt.Sprintf("%s@%d: resumed in %v (%d confirmed during the fault)",
				f.name, f.at, d.Round(time.Millisecond), confirmed.Load()-from))
			if got != probe {
				t.Errorf("probe %q arrived, want %q", got, probe)
			}
			if d > 10*time.Second {
				t.Errorf("after fault %d (%s) the consumer resumed after %v, want within 10 s", i, f.name, d)
			}
		case <-ctx.Done():
			t.Errorf("probe after fault %d never arrived", i)
		}
	}
	go func() {
		defer close(faultsDone)
		for i, f := range faults {
			runFault(i, f)
			close(faultDone[i])
		}
	}()

	start := time.Now()
	var pubWG sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		pubWG.Go(func() {
			for {
				n := int(next.Add(1)) - 1
				if n >= total {
					return
				}
				for i, f := range faults {
					if n >= f.at+window {
						<-faultDone[i]
					}
				}
				select {
				case <-faultsDone:
				default:
					time.Sleep(pause)
				}
				if err := publisher.Publish(ctx, []byte(strconv.Itoa(n)), q, mom.PublishOptions{Persistent: true}); err != nil {
					errs <- fmt.Errorf("message %d: %w", n, err)
					return
				}
				confirmed.Add(1)
			}
		})
	}
	pubWG.Wait()
	<-faultsDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if confirmed.Load() != int64(total) {
		t.Fatalf("%d of %d publishes confirmed", confirmed.Load(), total)
	}
	// Every confirmed message arrives at least once.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		got := len(seen)
		mu.Unlock()
		if got == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	missing, dups := 0, 0
	for n := range total {
		switch c := seen[n]; {
		case c == 0:
			missing++
		case c > 1:
			dups += c - 1
		}
	}
	t.Logf("fault test: %d messages confirmed in %v, %d duplicate deliveries; faults: %v", total, time.Since(start).Round(time.Millisecond), dups, report)
	if missing > 0 {
		t.Fatalf("%d confirmed messages never arrived", missing)
	}
	// Every fault that cut the connections cost both brokers theirs: each
	// one came back.
	cuts := 0
	for _, f := range faults {
		if f.reconnects {
			cuts++
		}
	}
	for name, b := range map[string]*amqp.Broker{"publisher": publisher, "consumer": consumer} {
		if s := b.Counters().Snapshot(); s.Reconnects < uint64(cuts) || !s.Connected {
			t.Errorf("%s counters after %d faults that cut the connection: reconnects %d, connected %v", name, cuts, s.Reconnects, s.Connected)
		}
		if s := b.Counters().Snapshot(); name == "publisher" && s.Targets[q].Published != uint64(total+len(faults)) {
			t.Errorf("publisher counted %d publishes to %s, want %d", s.Targets[q].Published, q, total+len(faults))
		}
	}
}

// deleteQueue removes a queue from the broker at url.
func deleteQueue(t *testing.T, url, queue string) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Logf("cleanup of %s: %v", queue, err)
		return
	}
	defer conn.Close()
	if ch, err := conn.Channel(); err == nil {
		_, _ = ch.QueueDelete(queue, false, false, false)
	}
}
