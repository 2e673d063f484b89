package app

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// goodHooks has every hook with the right signature.
type goodHooks struct{ calls []string }

func (h *goodHooks) Initialize(context.Context, *Application) error {
	h.calls = append(h.calls, "initialize")
	return nil
}

func (h *goodHooks) Main(_ context.Context, a *Application) error {
	h.calls = append(h.calls, "main")
	a.Stop()
	return nil
}

func (h *goodHooks) Finalize(context.Context, *Application) error {
	h.calls = append(h.calls, "finalize")
	return nil
}

// mainWithoutApp has a Main that forgot the *Application parameter.
type mainWithoutApp struct{ ran bool }

func (m *mainWithoutApp) Main(context.Context) error { m.ran = true; return nil }

// finalizeWithoutError has a Finalize that returns nothing.
type finalizeWithoutError struct{}

func (finalizeWithoutError) Finalize(context.Context, *Application) {}

func TestWithHooksUsesEveryHook(t *testing.T) {
	h := &goodHooks{}
	a, stderr := quiet(t, WithArgs(), WithConfigString("[logging:console]\nenabled = false\n"), WithHooks(h))
	if code := a.Run(); code != 0 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if got := strings.Join(h.calls, " "); got != "initialize main finalize" {
		t.Fatalf("hooks called: %q", got)
	}
}

func TestWithHooksRejectsAWrongSignature(t *testing.T) {
	cases := []struct {
		name string
		obj  any
		want string
	}{
		{"Main without the application", &mainWithoutApp{},
			"WithHooks(*app.mainWithoutApp): method Main has the signature func(context.Context) error; a hook must be Main(ctx context.Context, a *app.Application) error"},
		{"a value whose hooks have pointer receivers", goodHooks{},
			"WithHooks(app.goodHooks): method Initialize has a pointer receiver, so the value passed has no such method; pass a pointer (&value)"},
		{"Finalize without an error", finalizeWithoutError{},
			"method Finalize has the signature func(context.Context, *app.Application); a hook must be Finalize(ctx context.Context, a *app.Application) error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, stderr := quiet(t, WithArgs(), WithConfigString("[logging:console]\nenabled = false\n"), WithHooks(tc.obj))
			if code := a.Run(); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("stderr %q lacks %q", stderr, tc.want)
			}
			if m, ok := tc.obj.(*mainWithoutApp); ok && m.ran {
				t.Fatal("the mistyped Main ran")
			}
		})
	}
}

// A factory may return no module; a failing factory is named; a nil one is
// an error, not a panic.
func TestAddModule(t *testing.T) {
	a, _ := quiet(t, WithArgs())
	svc := &goodHooks{}
	noModule := func(a *Application) (any, error) { return nil, a.RegisterService("test.Svc", svc) }
	if err := a.AddModule(noModule); err != nil {
		t.Fatal(err)
	}
	if got, err := Service[*goodHooks](a); err != nil || got != svc || len(a.Modules()) != 0 {
		t.Fatalf("service %p, %v; modules %v", got, err, a.Modules())
	}

	a.Release()
	b, stderr := quiet(t, WithArgs())
	err := b.AddModule(noModule, failingModule, noModule)
	if err == nil || !strings.Contains(err.Error(), "add module app.failingModule: no database") {
		t.Fatalf("failing factory: %v", err)
	}
	if b.Run() != 1 || !strings.Contains(stderr.String(), "app.failingModule") {
		t.Fatalf("stderr %q", stderr)
	}

	b.Release()
	c, _ := quiet(t, WithArgs())
	if err := c.AddModule(nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Fatalf("nil factory: %v", err)
	}
}

func failingModule(*Application) (any, error) { return nil, errors.New("no database") }
