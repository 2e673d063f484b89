package mom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/mom"
)

// A service answers requests on a queue; a client asks it.
func ExampleLocalBroker_Request() {
	ctx := context.Background()
	b := mom.NewLocalBroker(mom.LocalOptions{})
	defer b.Close(ctx)

	_ = b.Add("upper", func(_ context.Context, m *mom.Message) ([]byte, error) {
		return []byte(strings.ToUpper(string(m.Body))), nil
	})
	_ = b.Subscribe(ctx, "upper", mom.SubscribeOptions{})

	reply, err := b.Request(ctx, []byte("hello"), "upper", mom.PublishOptions{})
	fmt.Println(string(reply.Body), err)
	// Output: HELLO <nil>
}

// Subscribing to an exchange with topic routing keys: each routing key
// goes to the handler added for it.
func ExampleLocalBroker_Subscribe() {
	ctx := context.Background()
	b := mom.NewLocalBroker(mom.LocalOptions{})
	defer b.Close(ctx)

	got := make(chan string, 2)
	for _, target := range []string{"user.created", "user.deleted"} {
		_ = b.Add(target, func(_ context.Context, m *mom.Message) ([]byte, error) {
			got <- m.Target + ": " + string(m.Body)
			return nil, nil
		})
	}
	_ = b.Subscribe(ctx, "", mom.SubscribeOptions{Exchange: "events", RoutingKeys: []string{"user.*"}})
	_ = b.Publish(ctx, []byte("alice"), "user.created", mom.PublishOptions{Exchange: "events"})
	fmt.Println(<-got)
	_ = b.Publish(ctx, []byte("bob"), "user.deleted", mom.PublishOptions{Exchange: "events"})
	fmt.Println(<-got)
	// Output:
	// user.created: alice
	// user.deleted: bob
}

// A transient failure: Retry requeues the message, which comes back with
// Redelivered set.
func ExampleRetry() {
	ctx := context.Background()
	b := mom.NewLocalBroker(mom.LocalOptions{Prefetch: 1})
	defer b.Close(ctx)

	done := make(chan struct{})
	_ = b.Add("jobs", func(_ context.Context, m *mom.Message) ([]byte, error) {
		fmt.Println("redelivered:", m.Redelivered)
		if !m.Redelivered {
			return nil, mom.Retry(errors.New("database busy"))
		}
		close(done)
		return nil, nil
	})
	_ = b.Subscribe(ctx, "jobs", mom.SubscribeOptions{})
	_ = b.Publish(ctx, []byte("job 1"), "jobs", mom.PublishOptions{})
	<-done
	// Output:
	// redelivered: false
	// redelivered: true
}

// An application with mom.Module: the MOMService's default broker is the
// in-process one unless an [asab:mom:amqp] url is configured (with
// amqp.Module).
func ExampleModule() {
	a := app.New(app.WithName("example"), app.WithArgs(),
		app.WithConfigString("[logging]\nlevel = ERROR\n"),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			svc, err := app.Service[*mom.Service](a)
			if err != nil {
				return err
			}
			b := svc.Default()
			_ = b.Add("ping", func(context.Context, *mom.Message) ([]byte, error) { return []byte("pong"), nil })
			if err := b.Subscribe(ctx, "ping", mom.SubscribeOptions{}); err != nil {
				return err
			}
			reply, err := b.Request(ctx, nil, "ping", mom.PublishOptions{})
			if err != nil {
				return err
			}
			fmt.Printf("%s via %v\n", reply.Body, svc.Names())
			a.Stop()
			return nil
		}))
	_ = a.AddModule(mom.Module)
	fmt.Println("exit code", a.Run())
	// Output:
	// pong via [local]
	// exit code 0
}
