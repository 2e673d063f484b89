package mom_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/mom"
)

func newApp(t *testing.T, conf string, opts ...app.Option) *app.Application {
	t.Helper()
	a := app.New(append([]app.Option{app.WithName("t"), app.WithArgs(), app.WithConfigString(conf)}, opts...)...)
	t.Cleanup(a.Release)
	return a
}

func TestModuleDefaultIsLocal(t *testing.T) {
	a := newApp(t, "[asab:mom:local:extra]\nprefetch_count = 3\n")
	if err := a.AddModule(mom.Module); err != nil {
		t.Fatal(err)
	}
	svc, err := app.Service[*mom.Service](a)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(svc.Names(), ","); got != "local,extra" {
		t.Fatalf("brokers %q", got)
	}
	if _, ok := svc.Default().(*mom.LocalBroker); !ok {
		t.Fatalf("default broker is %T", svc.Default())
	}
	if _, err := svc.Broker("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("lookup of a missing broker: %v", err)
	}
	if err := svc.AddBroker("extra", mom.NewLocalBroker(mom.LocalOptions{})); err == nil {
		t.Fatal("a duplicate broker name was accepted")
	}
}

func TestServiceConfigErrors(t *testing.T) {
	cases := []struct{ conf, want string }{
		{"[asab:mom:amqp]\nurl = amqp://localhost/\n", "amqp.Module"},
		{"[asab:mom:local]\nprefetch_count = 0\n", "prefetch_count"},
		{"[asab:mom:local]\nprefetch_count = many\n", "many"},
		{"[asab:mom:local:x]\nrequest_timeout = soon\n", "request_timeout"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			_, err := mom.NewService(newApp(t, c.conf))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("config %q: error %v, want one naming %q", c.conf, err, c.want)
			}
		})
	}
}

// runApp runs a until main returns and the app stops; it returns the exit code.
func runApp(t *testing.T, a *app.Application) int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- a.Run() }()
	select {
	case code := <-done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatal("the application did not stop")
		return -1
	}
}

func TestFinalizeWaitsForInFlightHandlers(t *testing.T) {
	var finished atomic.Bool
	started := make(chan struct{})
	a := newApp(t, "[general]\nshutdown_timeout = 10\n", app.WithMain(func(ctx context.Context, a *app.Application) error {
		svc, err := app.Service[*mom.Service](a)
		if err != nil {
			return err
		}
		b := svc.Default()
		_ = b.Add("work", func(context.Context, *mom.Message) ([]byte, error) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			finished.Store(true)
			return nil, nil
		})
		if err := b.Subscribe(ctx, "work", mom.SubscribeOptions{}); err != nil {
			return err
		}
		if err := b.Publish(ctx, []byte("job"), "work", mom.PublishOptions{}); err != nil {
			return err
		}
		<-started
		a.Stop() // while the handler runs
		return nil
	}))
	if err := a.AddModule(mom.Module); err != nil {
		t.Fatal(err)
	}
	if code := runApp(t, a); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if !finished.Load() {
		t.Fatal("the application finished before the in-flight handler")
	}
}

func TestFinalizeDeadlineRequeues(t *testing.T) {
	var local *mom.LocalBroker
	a := newApp(t, "[general]\nshutdown_timeout = 0.3\n", app.WithMain(func(ctx context.Context, a *app.Application) error {
		svc, err := app.Service[*mom.Service](a)
		if err != nil {
			return err
		}
		local = svc.Default().(*mom.LocalBroker)
		started := make(chan struct{})
		_ = local.Add("work", func(hctx context.Context, _ *mom.Message) ([]byte, error) {
			close(started)
			<-hctx.Done() // longer than the shutdown deadline
			return nil, hctx.Err()
		})
		if err := local.Subscribe(ctx, "work", mom.SubscribeOptions{}); err != nil {
			return err
		}
		if err := local.Publish(ctx, []byte("job"), "work", mom.PublishOptions{}); err != nil {
			return err
		}
		<-started
		a.Stop()
		return nil
	}))
	if err := a.AddModule(mom.Module); err != nil {
		t.Fatal(err)
	}
	runApp(t, a)
	if n := local.QueueLen("work"); n != 1 {
		t.Fatalf("queue holds %d messages after the deadline, want the unfinished one requeued", n)
	}
}
