package amqp_test

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
)

// rabbitmqctl runs one rabbitmqctl command.
func rabbitmqctl(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rabbitmqctl", args...).CombinedOutput()
	if err != nil {
		t.Errorf("rabbitmqctl %v: %v\n%s", args, err, out)
	}
}

// fault is one disruption, done once the publishers reach at.
type fault struct {
	at   int
	name string
}

// TestFaultConfirmedMessagesSurvive publishes 10,000 numbered, persistent
// messages with confirms while every connection is closed by force several
// times and the broker application is stopped and started once. Every
// confirmed message must reach the consumer at least once; duplicates are
// counted and logged; the consumer must resume within 10 s of the broker
// coming back.
func TestFaultConfirmedMessagesSurvive(t *testing.T) {
	needServer(t)
	const total = 10000
	q := unique("asab.test.fault")
	deleteLater(t, q, "")
	t.Cleanup(func() { // never leave the broker down, whatever happened
		rabbitmqctl(t, "start_app")
		rabbitmqctl(t, "await_startup")
	})

	fast := amqp.Config{ReconnectDelay: 200 * time.Millisecond, MaxReconnectDelay: time.Second, PrefetchCount: 100}
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
	faults := []fault{{500, "close"}, {1500, "close"}, {3000, "restart"}, {5000, "close"}, {6500, "close"}}
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
		if f.name == "close" {
			rabbitmqctl(t, "close_all_connections", "test")
		} else {
			rabbitmqctl(t, "stop_app")
			time.Sleep(time.Second)
			rabbitmqctl(t, "start_app")
			rabbitmqctl(t, "await_startup")
		}
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
	if confirmed.Load() != total {
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
	// Every fault cost the publisher its connection: each one came back.
	for name, b := range map[string]*amqp.Broker{"publisher": publisher, "consumer": consumer} {
		if s := b.Counters().Snapshot(); s.Reconnects < uint64(len(faults)) || !s.Connected {
			t.Errorf("%s counters after %d faults: reconnects %d, connected %v", name, len(faults), s.Reconnects, s.Connected)
		}
		if s := b.Counters().Snapshot(); name == "publisher" && s.Targets[q].Published != total+uint64(len(faults)) {
			t.Errorf("publisher counted %d publishes to %s, want %d", s.Targets[q].Published, q, total+len(faults))
		}
	}
}
