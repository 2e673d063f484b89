package momtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
)

// Env connects the suite to one broker implementation.
type Env interface {
	// NewBroker returns a started, connected broker on the shared server;
	// the suite closes it (Close is idempotent, so the Env may close it
	// again in a cleanup).
	NewBroker(t *testing.T) mom.Broker
	// Queue and Exchange return names unique to the test, removed from
	// the server when the test ends.
	Queue(t *testing.T) string
	// Exchange returns an exchange name unique to t, removed from the
	// server when t ends; see Queue.
	Exchange(t *testing.T) string
}

// Lacking is implemented by an Env whose broker lacks an optional feature
// of the contract; the suite skips that feature's cases when Lacks reports
// true. An Env that does not implement it runs every case.
type Lacking interface {
	// Lacks reports whether the broker lacks feature (one of the Feature
	// constants).
	Lacks(feature string) bool
}

// FeatureRetryPolicy names the retry cases: SubscribeOptions.Retry's
// backoff and attempt limit, Message.Attempt, and dead-lettering with
// LastErrorHeader after the last attempt. A broker that reports Attempt 0
// on a delivery has not implemented them, and the cases skip too.
const FeatureRetryPolicy = "retry-policy"

// Run runs every contract test against env.
func Run(t *testing.T, env Env) {
	tests := []struct {
		name string
		fn   func(*testing.T, Env)
	}{
		{"QueueDeliversWithProperties", testProperties},
		{"ExchangeRoutesByKey", testExchangeRouting},
		{"UnroutedTargetDropped", testUnrouted},
		{"SuccessAcks", testSuccessAcks},
		{"ErrorRejectsToDeadLetter", testDeadLetter},
		{"RetryRequeues", testRetry},
		{"RetryBackoff", testRetryBackoff},
		{"RetryExhaustedDeadLetters", testRetryExhausted},
		{"RequestReply", testRequestReply},
		{"RequestRemoteError", testRequestRemoteError},
		{"RequestTimeout", testRequestTimeout},
		{"ConcurrentRequests", testConcurrentRequests},
		{"CompetingConsumers", testCompeting},
		{"ShutdownRequeuesUnfinished", testShutdownRequeue},
		{"ClosedAndCancelled", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, env) })
	}
}

// ctx returns a test context bounded to a few seconds.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return c
}

// collector is a handler that sends every message on a channel.
func collector(n int) (mom.Handler, chan *mom.Message) {
	ch := make(chan *mom.Message, n)
	return func(_ context.Context, m *mom.Message) ([]byte, error) {
		c := *m
		c.Body = bytes.Clone(m.Body)
		ch <- &c
		return nil, nil
	}, ch
}

func receive(t *testing.T, ch <-chan *mom.Message, what string) *mom.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("no message arrived: %s", what)
		return nil
	}
}

func nothing(t *testing.T, ch <-chan *mom.Message, wait time.Duration) {
	t.Helper()
	select {
	case m := <-ch:
		t.Fatalf("unexpected message %q (target %q, redelivered %v)", m.Body, m.Target, m.Redelivered)
	case <-time.After(wait):
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func close(t *testing.T, b mom.Broker) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, b.Close(c))
}

func testProperties(t *testing.T, env Env) {
	b, q := env.NewBroker(t), env.Queue(t)
	defer close(t, b)
	h, got := collector(1)
	must(t, b.Add(q, h))
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	opts := mom.PublishOptions{ContentType: "application/json", ContentEncoding: "gzip", CorrelationID: "c-1",
		Headers: map[string]any{"k": "v"}, Persistent: true}
	must(t, b.Publish(ctx(t), []byte(`{"a":1}`), q, opts))
	m := receive(t, got, "published to the queue")
	if string(m.Body) != `{"a":1}` || m.Target != q || m.ContentType != opts.ContentType ||
		m.ContentEncoding != opts.ContentEncoding || m.CorrelationID != "c-1" || !m.Persistent || m.Redelivered {
		t.Fatalf("got %+v", m)
	}
	if v := fmt.Sprint(m.Headers["k"]); v != "v" {
		t.Fatalf("header k = %q, want v", v)
	}
}

func testExchangeRouting(t *testing.T, env Env) {
	b, ex := env.NewBroker(t), env.Exchange(t)
	defer close(t, b)
	hA, gotA := collector(4)
	hB, gotB := collector(4)
	must(t, b.Add("orders.created", hA))
	must(t, b.Add("orders.eu.deleted", hB))
	must(t, b.Subscribe(ctx(t), "", mom.SubscribeOptions{Exchange: ex, RoutingKeys: []string{"orders.created", "orders.*.deleted"}}))
	pub := func(key, body string) {
		must(t, b.Publish(ctx(t), []byte(body), key, mom.PublishOptions{Exchange: ex}))
	}
	pub("orders.created", "1")
	pub("orders.eu.deleted", "2")
	pub("orders.updated", "unbound") // no binding: never arrives
	if m := receive(t, gotA, "orders.created"); string(m.Body) != "1" || m.Exchange != ex {
		t.Fatalf("handler A got %q from %q", m.Body, m.Exchange)
	}
	if m := receive(t, gotB, "orders.eu.deleted"); string(m.Body) != "2" {
		t.Fatalf("handler B got %q", m.Body)
	}
	nothing(t, gotA, 200*time.Millisecond)
	nothing(t, gotB, 0)
}

func testUnrouted(t *testing.T, env Env) {
	b, ex := env.NewBroker(t), env.Exchange(t)
	defer close(t, b)
	h, got := collector(4)
	must(t, b.Add("known", h))
	must(t, b.Subscribe(ctx(t), "", mom.SubscribeOptions{Exchange: ex, RoutingKeys: []string{"#"}}))
	must(t, b.Publish(ctx(t), []byte("lost"), "unknown", mom.PublishOptions{Exchange: ex}))
	must(t, b.Publish(ctx(t), []byte("found"), "known", mom.PublishOptions{Exchange: ex}))
	if m := receive(t, got, "known after unknown"); string(m.Body) != "found" {
		t.Fatalf("got %q", m.Body)
	}
	nothing(t, got, 200*time.Millisecond)
}

// drain subscribes a fresh broker to q and returns what it receives.
func drain(t *testing.T, env Env, q string) (mom.Broker, chan *mom.Message) {
	b := env.NewBroker(t)
	h, got := collector(16)
	must(t, b.Add(q, h))
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	return b, got
}

func testSuccessAcks(t *testing.T, env Env) {
	b, q := env.NewBroker(t), env.Queue(t)
	h, got := collector(1)
	must(t, b.Add(q, h))
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	must(t, b.Publish(ctx(t), []byte("once"), q, mom.PublishOptions{}))
	receive(t, got, "first delivery")
	close(t, b)
	b2, got2 := drain(t, env, q)
	defer close(t, b2)
	must(t, b2.Publish(ctx(t), []byte("marker"), q, mom.PublishOptions{}))
	if m := receive(t, got2, "marker"); string(m.Body) != "marker" {
		t.Fatalf("an acknowledged message came again: %q", m.Body)
	}
}

func testDeadLetter(t *testing.T, env Env) {
	b, q, dlx := env.NewBroker(t), env.Queue(t), env.Exchange(t)
	defer close(t, b)
	hDead, dead := collector(2)
	must(t, b.Add(q, func(context.Context, *mom.Message) ([]byte, error) { return nil, errors.New("bad input") }))
	// The dead-letter subscriber sees the message under its original key.
	dl := env.NewBroker(t)
	defer close(t, dl)
	must(t, dl.Add(q, hDead))
	must(t, dl.Subscribe(ctx(t), "", mom.SubscribeOptions{Exchange: dlx, RoutingKeys: []string{"#"}}))
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{DeadLetterExchange: dlx}))
	must(t, b.Publish(ctx(t), []byte("poison"), q, mom.PublishOptions{}))
	if m := receive(t, dead, "dead-lettered"); string(m.Body) != "poison" {
		t.Fatalf("dead letter %q", m.Body)
	}
	nothing(t, dead, 200*time.Millisecond)
}

func testRetry(t *testing.T, env Env) {
	b, q := env.NewBroker(t), env.Queue(t)
	defer close(t, b)
	var mu sync.Mutex
	var seen []bool
	done := make(chan struct{})
	must(t, b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, m.Redelivered)
		if len(seen) < 3 {
			return nil, mom.Retry(errors.New("database busy"))
		}
		if len(seen) == 3 {
			defer func() { done <- struct{}{} }()
		}
		return nil, nil
	}))
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	must(t, b.Publish(ctx(t), []byte("x"), q, mom.PublishOptions{}))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("retried message not delivered three times")
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != "[false true true]" {
		t.Fatalf("deliveries (redelivered flags) = %v, want [false true true]", seen)
	}
}

func echoServer(t *testing.T, env Env) (server mom.Broker, q string) {
	server, q = env.NewBroker(t), env.Queue(t)
	must(t, server.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		if string(m.Body) == "fail" {
			return nil, errors.New("cannot serve fail")
		}
		return append([]byte("echo:"), m.Body...), nil
	}))
	must(t, server.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	return server, q
}

func testRequestReply(t *testing.T, env Env) {
	server, q := echoServer(t, env)
	defer close(t, server)
	client := env.NewBroker(t)
	defer close(t, client)
	reply, err := client.Request(ctx(t), []byte("hi"), q, mom.PublishOptions{ContentType: "text/plain"})
	must(t, err)
	if string(reply.Body) != "echo:hi" || reply.ContentType != "text/plain" {
		t.Fatalf("reply %q (%q)", reply.Body, reply.ContentType)
	}
}

func testRequestRemoteError(t *testing.T, env Env) {
	server, q := echoServer(t, env)
	defer close(t, server)
	_, err := server.Request(ctx(t), []byte("fail"), q, mom.PublishOptions{})
	var re *mom.RemoteError
	if !errors.As(err, &re) || re.Message != "cannot serve fail" {
		t.Fatalf("err = %v, want a RemoteError", err)
	}
}

func testRequestTimeout(t *testing.T, env Env) {
	b, q := env.NewBroker(t), env.Queue(t)
	defer close(t, b)
	must(t, b.Add(q, func(ctx context.Context, _ *mom.Message) ([]byte, error) { return nil, nil }))
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// No one consumes env.Queue's sibling: the request goes unanswered.
	_, err := b.Request(c, []byte("x"), q+".nobody", mom.PublishOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

func testConcurrentRequests(t *testing.T, env Env) {
	server, q := echoServer(t, env)
	defer close(t, server)
	client := env.NewBroker(t)
	defer close(t, client)
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			body := "req-" + strconv.Itoa(i)
			reply, err := client.Request(ctx(t), []byte(body), q, mom.PublishOptions{})
			switch {
			case err != nil:
				errs <- err
			case string(reply.Body) != "echo:"+body:
				errs <- fmt.Errorf("request %q got reply %q", body, reply.Body)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d requests failed, first: %v", len(errs), n, <-errs)
	}
}

func testCompeting(t *testing.T, env Env) {
	q := env.Queue(t)
	counts := make([]int, 2)
	total := make(chan int, 200)
	var mu sync.Mutex
	for i := range 2 {
		b := env.NewBroker(t)
		defer close(t, b)
		must(t, b.Add(q, func(context.Context, *mom.Message) ([]byte, error) {
			mu.Lock()
			counts[i]++
			mu.Unlock()
			time.Sleep(2 * time.Millisecond) // so that one consumer cannot take all
			total <- i
			return nil, nil
		}))
		must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	}
	pub := env.NewBroker(t)
	defer close(t, pub)
	const n = 100
	for i := range n {
		must(t, pub.Publish(ctx(t), []byte(strconv.Itoa(i)), q, mom.PublishOptions{}))
	}
	for range n {
		select {
		case <-total:
		case <-time.After(10 * time.Second):
			t.Fatal("not all messages were consumed")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if counts[0] == 0 || counts[1] == 0 {
		t.Fatalf("one consumer got nothing: %v", counts)
	}
}

func testShutdownRequeue(t *testing.T, env Env) {
	b, q := env.NewBroker(t), env.Queue(t)
	started := make(chan struct{}, 1)
	must(t, b.Add(q, func(ctx context.Context, _ *mom.Message) ([]byte, error) {
		started <- struct{}{}
		<-ctx.Done() // a slow handler that honours cancellation
		return nil, ctx.Err()
	}))
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{}))
	must(t, b.Publish(ctx(t), []byte("unfinished"), q, mom.PublishOptions{}))
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("handler never started")
	}
	c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := b.Close(c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want DeadlineExceeded for the unfinished handler", err)
	}
	b2, got := drain(t, env, q)
	defer close(t, b2)
	if m := receive(t, got, "requeued at shutdown"); string(m.Body) != "unfinished" || !m.Redelivered {
		t.Fatalf("got %q redelivered=%v", m.Body, m.Redelivered)
	}
}

func testClosed(t *testing.T, env Env) {
	b, q := env.NewBroker(t), env.Queue(t)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Publish(c, []byte("x"), q, mom.PublishOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("publish with a cancelled ctx = %v", err)
	}
	close(t, b)
	must(t, b.Close(ctx(t))) // idempotent
	if err := b.Publish(ctx(t), []byte("x"), q, mom.PublishOptions{}); !errors.Is(err, mom.ErrClosed) {
		t.Fatalf("publish after Close = %v, want ErrClosed", err)
	}
}

// needFeature skips t when env lacks feature.
func needFeature(t *testing.T, env Env, feature string) {
	t.Helper()
	if l, ok := env.(Lacking); ok && l.Lacks(feature) {
		t.Skipf("the broker lacks %s", feature)
	}
}

// delivery is one delivery a retry case saw.
type delivery struct {
	attempt     int
	redelivered bool
	at          time.Time
}

func testRetryBackoff(t *testing.T, env Env) {
	needFeature(t, env, FeatureRetryPolicy)
	b, q := env.NewBroker(t), env.Queue(t)
	defer close(t, b)
	seen := make(chan delivery, 8)
	must(t, b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		seen <- delivery{m.Attempt, m.Redelivered, time.Now()}
		if m.Attempt > 0 && m.Attempt < 3 {
			return nil, mom.Retry(errors.New("database busy"))
		}
		return nil, nil
	}))
	policy := mom.RetryPolicy{MaxAttempts: 5, InitialDelay: 300 * time.Millisecond, Factor: 2, MaxDelay: time.Second}
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{Retry: policy}))
	must(t, b.Publish(ctx(t), []byte("x"), q, mom.PublishOptions{}))
	var ds []delivery
	for len(ds) < 3 {
		select {
		case d := <-seen:
			if d.attempt == 0 {
				t.Skip("the broker reports Message.Attempt 0: retry policies not implemented")
			}
			ds = append(ds, d)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d deliveries of a retried message: %+v", len(ds), ds)
		}
	}
	for i, d := range ds {
		if d.attempt != i+1 || d.redelivered != (i > 0) {
			t.Fatalf("delivery %d: attempt %d redelivered %v, want attempt %d", i+1, d.attempt, d.redelivered, i+1)
		}
		if i == 0 {
			continue
		}
		// The backoff is a lower bound: a redelivery never comes sooner
		// (a small allowance for timer granularity).
		gap, want := d.at.Sub(ds[i-1].at), policy.Delay(i)
		if gap < want*9/10 {
			t.Fatalf("delivery %d came %v after the previous one, want at least the backoff %v", i+1, gap, want)
		}
	}
	select {
	case d := <-seen:
		t.Fatalf("a fourth delivery (attempt %d) after the handler succeeded", d.attempt)
	case <-time.After(300 * time.Millisecond):
	}
}

func testRetryExhausted(t *testing.T, env Env) {
	needFeature(t, env, FeatureRetryPolicy)
	b, q, dlx := env.NewBroker(t), env.Queue(t), env.Exchange(t)
	defer close(t, b)
	attempts := make(chan int, 8)
	must(t, b.Add(q, func(_ context.Context, m *mom.Message) ([]byte, error) {
		select {
		case attempts <- m.Attempt:
		default:
		}
		if m.Attempt == 0 {
			return nil, nil // no attempt count: no policy either, so do not loop
		}
		return nil, mom.Retry(errors.New("still busy"))
	}))
	dl := env.NewBroker(t)
	defer close(t, dl)
	hDead, dead := collector(2)
	must(t, dl.Add(q, hDead))
	must(t, dl.Subscribe(ctx(t), "", mom.SubscribeOptions{Exchange: dlx, RoutingKeys: []string{"#"}}))
	policy := mom.RetryPolicy{MaxAttempts: 3, InitialDelay: 50 * time.Millisecond, Factor: 2}
	must(t, b.Subscribe(ctx(t), q, mom.SubscribeOptions{DeadLetterExchange: dlx, Retry: policy}))
	must(t, b.Publish(ctx(t), []byte("hopeless"), q, mom.PublishOptions{Headers: map[string]any{"k": "v"}}))
	var got []int
	select {
	case a := <-attempts:
		if a == 0 {
			t.Skip("the broker reports Message.Attempt 0: retry policies not implemented")
		}
		got = append(got, a)
	case <-time.After(10 * time.Second):
		t.Fatal("the message was never delivered")
	}
	m := receive(t, dead, "dead-lettered after the last attempt")
	for len(attempts) > 0 {
		got = append(got, <-attempts)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("attempts before dead-lettering = %v, want [1 2 3]", got)
	}
	if string(m.Body) != "hopeless" || m.Target != q {
		t.Fatalf("dead letter %q to %q", m.Body, m.Target)
	}
	if e := fmt.Sprint(m.Headers[mom.LastErrorHeader]); e != "still busy" {
		t.Fatalf("%s = %q, want the handler's last error", mom.LastErrorHeader, e)
	}
	if v := fmt.Sprint(m.Headers["k"]); v != "v" {
		t.Fatalf("the dead letter lost header k: %v", m.Headers)
	}
	nothing(t, dead, 300*time.Millisecond)
	select {
	case a := <-attempts:
		t.Fatalf("delivered again (attempt %d) after it was dead-lettered", a)
	default:
	}
}
