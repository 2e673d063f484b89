package nats_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/nats"
)

// scenarios are the programs a re-executed test binary runs (see TestMain).
var scenarios = map[string]func() int{
	"consumer": consumerScenario,
}

// consumerScenario is a whole application with nats.Module, configured by
// ASAB_TEST_URL, ASAB_TEST_STREAM and ASAB_TEST_SUBJECTS, that consumes the
// queue named by ASAB_TEST_QUEUE and prints "got BODY" per message, until
// SIGTERM. A body "fail-once" fails with Retry on its first attempt.
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
			"[asab:mom:nats]\nurl = "+os.Getenv("ASAB_TEST_URL")+"\nstream = "+os.Getenv("ASAB_TEST_STREAM")+
			"\nsubjects = "+os.Getenv("ASAB_TEST_SUBJECTS")+"\nmax_ack_pending = 5\nreconnect_wait = 200ms\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			svc, err := app.Service[*mom.Service](a)
			if err != nil {
				return err
			}
			b := svc.Default()
			if _, ok := b.(*nats.Broker); !ok {
				return fmt.Errorf("default broker is %T, want the NATS one", b)
			}
			if err := b.Add(queue, func(_ context.Context, m *mom.Message) ([]byte, error) {
				time.Sleep(time.Millisecond) // some work, so that the queue is shared
				if string(m.Body) == "fail-once" && m.Attempt == 1 {
					return nil, mom.Retry(fmt.Errorf("first attempt of %s", m.Body))
				}
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
	if err := a.AddModule(nats.Module); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return a.Run()
}
