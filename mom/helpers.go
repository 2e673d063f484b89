package mom

import (
	"context"
	"fmt"

	"github.com/asabgo/asab/app"
)

// Serve answers the requests and messages of queue with h on the default
// broker of a's MOM service, consuming for the application's lifetime: the
// Add and Subscribe a service's Initialize would otherwise call, in one.
// For another broker or other SubscribeOptions, call them yourself.
func Serve(a *app.Application, queue string, h Handler) error {
	svc, err := app.Service[*Service](a)
	if err != nil {
		return fmt.Errorf("mom: serve %q: %w", queue, err)
	}
	b := svc.Default()
	if err := b.Add(queue, h); err != nil {
		return fmt.Errorf("mom: serve %q: %w", queue, err)
	}
	if err := b.Subscribe(a.Context(), queue, SubscribeOptions{}); err != nil {
		return fmt.Errorf("mom: serve %q: %w", queue, err)
	}
	return nil
}

// Ask sends body as a request to target on the default broker of a's MOM
// service and returns the reply's body; a handler that failed is a
// *RemoteError. It finds the service on every call: on a hot path, keep
// svc.Default() and call its Request.
func Ask(ctx context.Context, a *app.Application, target string, body []byte) ([]byte, error) {
	svc, err := app.Service[*Service](a)
	if err != nil {
		return nil, fmt.Errorf("mom: ask %q: %w", target, err)
	}
	reply, err := svc.Default().Request(ctx, body, target, PublishOptions{})
	if err != nil {
		return nil, err
	}
	return reply.Body, nil
}
