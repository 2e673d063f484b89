// Command mom is a service that answers requests over MOM: it consumes a
// queue and replies with the request's text in upper case. It runs on the
// in-process broker by default, on RabbitMQ when mom.conf's [asab:mom:amqp]
// url line is uncommented, and on NATS JetStream when the [asab:mom:nats]
// one is.
//
//	go run ./examples/mom -c examples/mom/mom.conf              # serve
//	go run ./examples/mom -c examples/mom/mom.conf -ask hello   # ask once
//
// On the in-process broker nothing outside the process can reach the
// service, so it asks itself once at start-up to show the round trip; on
// RabbitMQ or NATS, start one process to serve (or several: they share the
// queue, or the durable consumer) and ask from another.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/amqp"
	"github.com/asabgo/asab/mom/nats"
	"github.com/asabgo/asab/tracing"
)

func main() {
	var ask string
	a := app.New(
		app.WithName("mom-example"),
		app.WithDescription("Answers requests with their text in upper case."),
		app.WithFlags(func(fs *flag.FlagSet) {
			fs.StringVar(&ask, "ask", "", "send this text as a request, print the reply and exit")
		}),
		app.WithDefaults(map[string]map[string]any{"example": {"queue": "asab.example.upper"}}),
		app.WithMain(func(ctx context.Context, a *app.Application) error { return serve(ctx, a, ask) }),
	)
	// Tracing first, so that it is finalized after MOM and exports the
	// last spans; it records nothing until [tracing] exporter is set.
	if err := a.AddModule(tracing.Module); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	// The MOM module with both server kinds linked in: a configuration
	// section with a url selects one.
	module := mom.ModuleWith(mom.WithBrokerKind("amqp", amqp.FromConfig), mom.WithBrokerKind("nats", nats.FromConfig))
	if err := a.AddModule(module); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(a.Run())
}

func serve(ctx context.Context, a *app.Application, ask string) error {
	svc, err := app.Service[*mom.Service](a)
	if err != nil {
		return err
	}
	broker := svc.Default()
	queue, err := a.Config().GetOr("example", "queue", "asab.example.upper")
	if err != nil {
		return err
	}
	_, local := broker.(*mom.LocalBroker)

	if ask != "" && !local {
		defer a.Stop()
		return request(ctx, broker, queue, ask)
	}
	if err := broker.Add(queue, upper(logging.Get("mom.example"))); err != nil {
		return err
	}
	if err := broker.Subscribe(ctx, queue, mom.SubscribeOptions{}); err != nil {
		return err
	}
	fmt.Printf("serving %q on the %s broker\n", queue, kind(broker))
	if local { // no one else can reach us: ask ourselves
		if ask == "" {
			ask = "hello from the in-process broker"
		}
		defer a.Stop()
		return request(ctx, broker, queue, ask)
	}
	return nil // serve until stopped
}

// kind names the broker's engine.
func kind(b mom.Broker) string {
	switch b.(type) {
	case *mom.LocalBroker:
		return "in-process"
	case *amqp.Broker:
		return "AMQP"
	case *nats.Broker:
		return "NATS"
	}
	return fmt.Sprintf("%T", b)
}

// upper returns the request handler: the reply is the text in upper case.
// The handler logs each request at INFO with its context, so that the line
// carries the trace's ids when tracing is on.
func upper(log *logging.Logger) mom.Handler {
	return func(ctx context.Context, m *mom.Message) ([]byte, error) {
		if len(m.Body) == 0 {
			return nil, errors.New("empty request") // rejected; the requester gets a RemoteError
		}
		log.Info().Ctx(ctx).Int("bytes", len(m.Body)).Msg("Request upper-cased")
		return []byte(strings.ToUpper(string(m.Body))), nil
	}
}

func request(ctx context.Context, b mom.Broker, queue, text string) error {
	reply, err := b.Request(ctx, []byte(text), queue, mom.PublishOptions{ContentType: "text/plain"})
	if err != nil {
		return err
	}
	fmt.Printf("%s -> %s\n", text, reply.Body)
	return nil
}
