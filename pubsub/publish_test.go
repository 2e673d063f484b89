package pubsub

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recorder collects errors passed to the error handler.
type recorder struct {
	mu   sync.Mutex
	errs []string // "type: error"
	raw  []error
}

func (r *recorder) handle(msgType string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, msgType+": "+err.Error())
	r.raw = append(r.raw, err)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

func TestPublishOrderAndArgs(t *testing.T) {
	p := New()
	var got []string
	for _, name := range []string{"a", "b", "c", "d"} {
		p.Subscribe("x!", func(m Message) error {
			got = append(got, name+":"+m.Type+":"+m.Args[0].(string))
			return nil
		})
	}
	p.Subscribe("other!", func(Message) error { got = append(got, "other"); return nil })
	p.Publish("x!", "1")
	p.Publish("x!", "2")
	want := []string{"a:x!:1", "b:x!:1", "c:x!:1", "d:x!:1", "a:x!:2", "b:x!:2", "c:x!:2", "d:x!:2"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestPublishWithoutSubscribers(t *testing.T) {
	p := New()
	p.Publish("nobody!")
	sub := p.Subscribe("x!", func(Message) error { t.Error("called"); return nil })
	sub.Unsubscribe()
	sub.Unsubscribe() // idempotent
	p.Publish("x!")
}

func TestPanicAndErrorIsolation(t *testing.T) {
	rec := &recorder{}
	p := New(WithErrorHandler(rec.handle))
	var calls []int
	boom := errors.New("boom")
	p.Subscribe("x!", func(Message) error { calls = append(calls, 1); return nil })
	p.Subscribe("x!", func(Message) error { calls = append(calls, 2); panic(boom) })
	p.Subscribe("x!", func(Message) error { calls = append(calls, 3); return errors.New("bad thing") })
	p.Subscribe("x!", func(Message) error { calls = append(calls, 4); panic("plain") })
	p.Subscribe("x!", func(Message) error { calls = append(calls, 5); return nil })
	p.Publish("x!")

	if !slices.Equal(calls, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("calls %v: a failing subscriber stopped the others", calls)
	}
	if len(rec.errs) != 3 {
		t.Fatalf("error handler called %d times: %v", len(rec.errs), rec.errs)
	}
	var pe *PanicError
	if !errors.As(rec.raw[0], &pe) || !errors.Is(rec.raw[0], boom) {
		t.Errorf("first error %v: want a *PanicError wrapping boom", rec.raw[0])
	}
	if !strings.Contains(rec.errs[0], "x!: panic in subscriber: boom") ||
		!strings.Contains(string(pe.Stack), "publish_test.go") {
		t.Errorf("panic error lacks type, value or stack: %q", rec.errs[0])
	}
	if rec.errs[1] != "x!: bad thing" {
		t.Errorf("second error %q", rec.errs[1])
	}
	if !errors.As(rec.raw[2], &pe) || pe.Value != "plain" || errors.Unwrap(pe) != nil {
		t.Errorf("third error %#v", rec.raw[2])
	}
}

// TestDefaultErrorHandlerLogs swaps slog's default logger, so it is not parallel.
func TestDefaultErrorHandlerLogs(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)

	p := New()
	p.Subscribe("my.type!", func(Message) error { return errors.New("it broke") })
	p.Subscribe("my.type!", func(Message) error { panic("kaboom") })
	p.Publish("my.type!")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %q", buf.String())
	}
	for _, want := range []string{"level=ERROR", "type=my.type!", "error=\"it broke\""} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
	for _, want := range []string{"level=ERROR", "type=my.type!", "panic=kaboom", "stack=", "publish_test.go"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("panic log line lacks %q: %q", want, lines[1])
		}
	}
}

func TestSubscribeManyOneHandle(t *testing.T) {
	p := New()
	var got []string
	sub := p.SubscribeMany(map[string]Handler{
		"a!": func(m Message) error { got = append(got, "A"); return nil },
		"b!": func(m Message) error { got = append(got, "B"); return nil },
	})
	p.Publish("a!")
	p.Publish("b!")
	sub.Unsubscribe()
	p.Publish("a!")
	p.Publish("b!")
	if !slices.Equal(got, []string{"A", "B"}) {
		t.Fatalf("got %v", got)
	}
}

func TestNilHandlerPanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `"x!"`) {
			t.Fatalf("recover() = %v, want a panic naming the type", r)
		}
	}()
	New().Subscribe("x!", nil)
}

func TestTopicRemovedWhenEmptyAndRecreated(t *testing.T) {
	p := New()
	n := 0
	s := p.Subscribe("x!", func(Message) error { n++; return nil })
	s.Unsubscribe()
	if len(*p.topics.Load()) != 0 {
		t.Fatalf("empty topic kept: %v", *p.topics.Load())
	}
	p.Subscribe("x!", func(Message) error { n += 10; return nil })
	p.Publish("x!")
	if n != 10 {
		t.Fatalf("n = %d", n)
	}
}

func TestConcurrentPublishSubscribe(t *testing.T) {
	p := New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				s := p.Subscribe("x!", func(Message) error {
					mu.Lock()
					count++
					mu.Unlock()
					return nil
				})
				p.Publish("x!", g, i)
				s.Unsubscribe()
			}
		})
	}
	wg.Wait()
	// Each goroutine's own subscription is live during its own publish.
	if count < 8*200 {
		t.Fatalf("count %d < %d", count, 8*200)
	}
}
