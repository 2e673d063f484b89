package mom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/mom"
)

// Serve answers requests on the default broker until the application
// stops; Ask gets the reply's body, and a handler's error as a
// *mom.RemoteError.
func TestServeAndAsk(t *testing.T) {
	ta := asabtest.New(t, "[logging:console]\nenabled=false\n").AddModule(mom.Module)
	if err := mom.Serve(ta.Application, "test.helpers.upper", func(_ context.Context, m *mom.Message) ([]byte, error) {
		if len(m.Body) == 0 {
			return nil, errors.New("empty")
		}
		return []byte(strings.ToUpper(string(m.Body))), nil
	}); err != nil {
		t.Fatal(err)
	}
	ta.Start()
	body, err := mom.Ask(t.Context(), ta.Application, "test.helpers.upper", []byte("hi"))
	if err != nil || string(body) != "HI" {
		t.Fatalf("Ask: %q, %v", body, err)
	}
	var re *mom.RemoteError
	if _, err := mom.Ask(t.Context(), ta.Application, "test.helpers.upper", nil); !errors.As(err, &re) {
		t.Fatalf("Ask of a failing handler: %v, want a *mom.RemoteError", err)
	}
}

// Without the MOM module both helpers say so, naming the queue.
func TestServeWithoutMOM(t *testing.T) {
	ta := asabtest.New(t, "")
	h := func(context.Context, *mom.Message) ([]byte, error) { return nil, nil }
	if err := mom.Serve(ta.Application, "q", h); err == nil || !strings.Contains(err.Error(), `mom: serve "q"`) {
		t.Errorf("Serve: %v", err)
	}
	if _, err := mom.Ask(t.Context(), ta.Application, "q", nil); err == nil || !strings.Contains(err.Error(), `mom: ask "q"`) {
		t.Errorf("Ask: %v", err)
	}
}

// A service that answers "example.greet" on the in-process broker, and a
// Main that asks it.
func ExampleServe() {
	a := app.New(app.WithName("example"), app.WithArgs(), app.WithConfigString("[logging:console]\nenabled=false\n"),
		app.WithModules(mom.Module),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			return mom.Serve(a, "example.greet", func(_ context.Context, m *mom.Message) ([]byte, error) {
				return fmt.Appendf(nil, "Hello, %s!", m.Body), nil
			})
		}),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			defer a.Stop()
			reply, err := mom.Ask(ctx, a, "example.greet", []byte("world"))
			fmt.Println(string(reply))
			return err
		}))
	fmt.Println("exit code", a.Run())
	// Output:
	// Hello, world!
	// exit code 0
}
