package amqp_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
)

// scenarios are the programs a re-executed test binary can run.
var scenarios = map[string]func() int{
	"consumer": consumerScenario,
	"slow":     slowScenario,
}

// slowScenario is a whole application with amqp.Module whose handler for
// the queue ASAB_TEST_QUEUE is slow, for the shutdown tests; its
// [general] shutdown_timeout is ASAB_TEST_SHUTDOWN. By body:
//
//   - "slow:DURATION" works that long (honouring its context), publishes
//     its body to the queue QUEUE.out and replies "done BODY";
//   - "lazy" waits for its context to be cancelled and returns success
//     (a handler that gives up without saying so);
//   - "stuck" sleeps an hour and ignores its context.
//
// It prints "ready", then "started BODY" and "finished BODY" per message.
func slowScenario() int {
	queue := os.Getenv("ASAB_TEST_QUEUE")
	var out sync.Mutex
	say := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	a := app.New(app.WithName("slow"), app.WithArgs(),
		app.WithConfigString("[general]\nshutdown_timeout = "+os.Getenv("ASAB_TEST_SHUTDOWN")+"\n[logging]\nlevel = WARNING\n"+
			"[asab:mom:amqp]\nurl = "+testURL+"\nprefetch_count = 5\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			svc, err := app.Service[*mom.Service](a)
			if err != nil {
				return err
			}
			b := svc.Default()
			if err := b.Add(queue, func(ctx context.Context, m *mom.Message) ([]byte, error) {
				body := string(m.Body)
				say("started %s", body)
				switch {
				case body == "lazy":
					<-ctx.Done()
					time.Sleep(50 * time.Millisecond)
					return nil, nil
				case body == "stuck":
					time.Sleep(time.Hour)
					return nil, nil
				}
				d, err := time.ParseDuration(strings.TrimPrefix(body, "slow:"))
				if err != nil {
					return nil, err
				}
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				if err := b.Publish(ctx, m.Body, queue+".out", mom.PublishOptions{}); err != nil {
					return nil, err
				}
				say("finished %s", body)
				return []byte("done " + body), nil
			}); err != nil {
				return err
			}
			if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
				return err
			}
			say("ready")
			return nil
		}))
	if err := a.AddModule(amqp.Module); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return a.Run()
}

// consumerScenario is a whole application with amqp.Module that consumes
// the queue named by ASAB_TEST_QUEUE and prints "got BODY" per message,
// until SIGTERM.
func consumerScenario() int {
	queue := os.Getenv("ASAB_TEST_QUEUE")
	var out sync.Mutex
	say := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	a := app.New(app.WithName("consumer"), app.WithArgs(),
		app.WithConfigString("[general]\nshutdown_timeout = 10\n[logging]\nlevel = WARNING\n"+
			"[asab:mom:amqp]\nurl = "+testURL+"\nprefetch_count = 5\nmax_reconnect_delay = 1s\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			svc, err := app.Service[*mom.Service](a)
			if err != nil {
				return err
			}
			b := svc.Default()
			if _, ok := b.(*amqp.Broker); !ok {
				return fmt.Errorf("default broker is %T, want the AMQP one", b)
			}
			if err := b.Add(queue, func(_ context.Context, m *mom.Message) ([]byte, error) {
				time.Sleep(time.Millisecond) // some work, so that the queue is shared
				say("got %s", m.Body)
				return nil, nil
			}); err != nil {
				return err
			}
			if err := b.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
				return err
			}
			say("ready")
			return nil
		}))
	if err := a.AddModule(amqp.Module); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return a.Run()
}
