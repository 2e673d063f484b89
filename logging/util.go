package logging

import "context"

// expired returns an already cancelled context, for closing outputs of a
// Setup that failed half-way without waiting.
func expired() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
