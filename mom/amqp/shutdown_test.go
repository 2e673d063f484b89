package amqp_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// waitLine reads the process's lines until want, failing the test after
// within; it returns the lines read before.
func waitLine(t *testing.T, p *consumerProcess, want string, within time.Duration) []string {
	t.Helper()
	var before []string
	deadline := time.After(within)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("the process ended before printing %q; it printed %q; stderr:\n%s", want, before, p.stderr.String())
			}
			if line == want {
				return before
			}
			before = append(before, line)
		case <-deadline:
			t.Fatalf("no %q within %v; the process printed %q", want, within, before)
		}
	}
}

// waitExit waits for the process to end and returns its exit code.
func waitExit(t *testing.T, p *consumerProcess, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("the process did not end within %v of SIGTERM", within)
		return -1
	}
}

// consumers is the number of consumers the server has on queue.
func consumers(t *testing.T, ch *amqp091.Channel, queue string) int {
	t.Helper()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		t.Fatalf("inspect %q: %v", queue, err)
	}
	return q.Consumers
}

// TestShutdownSIGTERMFinishesHandlersInFlight sends SIGTERM to an
// application process while its handler serves a request. The consumer
// is cancelled on the server first, while the handler still runs; a
// message published then stays in the queue, never delivered; the handler
// finishes, its own publish is confirmed, its reply arrives and its
// message is acknowledged; the process exits 0.
func TestShutdownSIGTERMFinishesHandlersInFlight(t *testing.T) {
	needServer(t)
	q := unique("asab.test.shutdown")
	deleteLater(t, q, "")
	deleteLater(t, q+".out", "")
	raw := rawChannel(t)
	if _, err := raw.QueueDeclare(q+".out", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	p := startScenario(t, "slow", "ASAB_TEST_QUEUE="+q, "ASAB_TEST_SHUTDOWN=20s")
	waitLine(t, p, "ready", 20*time.Second)
	client := newBroker(t, amqp.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type result struct {
		m   *mom.Message
		err error
	}
	replies := make(chan result, 1)
	go func() {
		m, err := client.Request(ctx, []byte("slow:3s"), q, mom.PublishOptions{})
		replies <- result{m, err}
	}()
	waitLine(t, p, "started slow:3s", 10*time.Second)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// 1. basic.cancel first: the server drops the consumer while the
	// handler is still in flight (no reply yet).
	for consumers(t, raw, q) > 0 {
		select {
		case r := <-replies:
			t.Fatalf("the reply (%v, %v) came before the consumer was cancelled", r.m, r.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := client.Publish(ctx, []byte("late"), q, mom.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	// 2. The handler finishes: its reply arrives.
	r := <-replies
	if r.err != nil || string(r.m.Body) != "done slow:3s" {
		t.Fatalf("reply %v, %v; want \"done slow:3s\"", r.m, r.err)
	}
	if code := waitExit(t, p, 20*time.Second); code != 0 {
		t.Errorf("exit code %d; stderr:\n%s", code, p.stderr.String())
	}
	// 3. Its publish was confirmed before the connection closed.
	if d, ok := getWithin(t, raw, q+".out", 5*time.Second); !ok || string(d.Body) != "slow:3s" {
		t.Errorf("the handler's publish: %q (arrived %v)", d.Body, ok)
	}
	// 4. Its message was acknowledged; the late one was never delivered.
	d, ok := getWithin(t, raw, q, 5*time.Second)
	if !ok || string(d.Body) != "late" || d.Redelivered {
		t.Errorf("queue holds %q redelivered=%v (any: %v), want only \"late\", never delivered", d.Body, d.Redelivered, ok)
	}
	if d, ok, _ := raw.Get(q, true); ok {
		t.Errorf("queue also holds %q: a message the handler finished was not acknowledged", d.Body)
	}
	for line := range p.lines {
		if strings.HasPrefix(line, "started late") {
			t.Errorf("the stopping process took a message published after its consumer was cancelled")
		}
	}
}

// TestShutdownSIGTERMCutOffRequeues: shutdown_timeout is 1 s, and three
// handlers are in flight at SIGTERM: one that honours its context, one
// that returns success once its context is cancelled, and one that ignores
// its context. The process still ends, and all three messages are back in
// the queue, redelivered, none acknowledged.
func TestShutdownSIGTERMCutOffRequeues(t *testing.T) {
	needServer(t)
	q := unique("asab.test.cutoff")
	deleteLater(t, q, "")
	deleteLater(t, q+".out", "")
	p := startScenario(t, "slow", "ASAB_TEST_QUEUE="+q, "ASAB_TEST_SHUTDOWN=1s")
	waitLine(t, p, "ready", 20*time.Second)
	client := newBroker(t, amqp.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bodies := []string{"slow:1m", "lazy", "stuck"}
	for _, body := range bodies {
		if err := client.Publish(ctx, []byte(body), q, mom.PublishOptions{Persistent: true}); err != nil {
			t.Fatal(err)
		}
	}
	started := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for len(started) < len(bodies) {
		select {
		case line := <-p.lines:
			if b, ok := strings.CutPrefix(line, "started "); ok {
				started[b] = true
			}
		case <-deadline:
			t.Fatalf("handlers started: %v", started)
		}
	}
	at := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p, 10*time.Second)
	t.Logf("the process ended %v after SIGTERM", time.Since(at).Round(time.Millisecond))
	raw := rawChannel(t)
	back := map[string]bool{}
	for range bodies {
		d, ok := getWithin(t, raw, q, 5*time.Second)
		if !ok {
			break
		}
		if !d.Redelivered {
			t.Errorf("%q is back but not marked redelivered", d.Body)
		}
		back[string(d.Body)] = true
	}
	for _, body := range bodies {
		if !back[body] {
			t.Errorf("%q was not requeued (acknowledged or lost); back: %v", body, back)
		}
	}
}

// TestCloseWaitsForPublishInFlight: a Publish that is waiting for its
// connection when Close begins is not cut short: Close waits for it
// (bounded by its context), the connection comes back, the message is
// confirmed and stored, and only then does Close close. A Publish after
// Close fails with ErrClosed.
func TestCloseWaitsForPublishInFlight(t *testing.T) {
	needServer(t)
	px := newProxy(t, "127.0.0.1:5672")
	b := newBroker(t, amqp.Config{URL: px.URL(), ReconnectDelay: 50 * time.Millisecond, MaxReconnectDelay: 200 * time.Millisecond})
	q := unique("asab.test.inflight")
	deleteLater(t, q, "")
	raw := rawChannel(t)
	if _, err := raw.QueueDeclare(q, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	px.Refuse(true)
	px.Cut()
	for b.Counters().Snapshot().Connected {
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	published := make(chan error, 1)
	go func() { published <- b.Publish(ctx, []byte("in flight"), q, mom.PublishOptions{Persistent: true}) }()
	time.Sleep(200 * time.Millisecond) // the publish waits for a connection
	closed := make(chan error, 1)
	go func() { closed <- b.Close(ctx) }()
	select {
	case err := <-published:
		t.Fatalf("the publish in flight ended with %v when Close began", err)
	case err := <-closed:
		t.Fatalf("Close returned %v with a publish in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	px.Refuse(false)
	if err := <-published; err != nil {
		t.Fatalf("the publish in flight: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d, ok := getWithin(t, raw, q, 5*time.Second); !ok || string(d.Body) != "in flight" {
		t.Fatalf("queue holds %q (any: %v), want the confirmed message", d.Body, ok)
	}
	if err := b.Publish(ctx, []byte("late"), q, mom.PublishOptions{}); !errors.Is(err, mom.ErrClosed) {
		t.Fatalf("publish after Close = %v, want ErrClosed", err)
	}
}
