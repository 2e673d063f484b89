package app_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
)

// WithModules adds the modules in New, in order; a factory's error is the
// application's start-up error and makes Run return 1.
func TestWithModules(t *testing.T) {
	var order []string
	mod := func(name string) app.ModuleFactory {
		return func(a *app.Application) (any, error) {
			order = append(order, name)
			return nil, a.RegisterService("t."+name, &struct{ n string }{name})
		}
	}
	a := app.New(app.WithName("t"), app.WithArgs(), app.WithModules(mod("one"), mod("two")))
	if a.Err() != nil || strings.Join(order, ",") != "one,two" || len(a.Services()) != 2 {
		t.Fatalf("err %v, order %v, services %v", a.Err(), order, a.Services())
	}
	a.Release()

	failing := func(*app.Application) (any, error) { return nil, errors.New("no way") }
	a = app.New(app.WithName("t"), app.WithArgs(), app.WithConfigString("[logging:console]\nenabled=false\n"), app.WithModules(failing, mod("three")))
	if a.Err() == nil || !strings.Contains(a.Err().Error(), "no way") {
		t.Fatalf("Err() = %v, want the factory's error", a.Err())
	}
	if code := a.Run(); code != 1 {
		t.Fatalf("Run = %d, want 1", code)
	}
	if strings.Contains(strings.Join(order, ","), "three") {
		t.Fatalf("a module after the failing one was added: %v", order)
	}
}

// New with WithModules is New followed by AddModule.
func ExampleWithModules() {
	greeter := func(a *app.Application) (any, error) { return nil, a.RegisterService("example.Greeter", &struct{}{}) }
	a := app.New(app.WithName("example"), app.WithArgs(), app.WithModules(greeter))
	defer a.Release()
	fmt.Println(a.Err(), a.Services())
	// Output: <nil> [example.Greeter]
}
