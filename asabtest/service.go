package asabtest

import (
	"testing"

	"github.com/asabgo/asab/app"
)

// Service returns the one registered service of type T, as app.Service
// does; none or several fail the test with the candidates named.
func Service[T any](t testing.TB, ta *App) T {
	t.Helper()
	s, err := app.Service[T](ta.Application)
	if err != nil {
		t.Fatalf("asabtest: %v", err)
	}
	return s
}

// ServiceNamed returns the service registered under name as a T, as
// app.ServiceNamed does; a missing service or one of another type fails the
// test.
func ServiceNamed[T any](t testing.TB, ta *App, name string) T {
	t.Helper()
	s, err := app.ServiceNamed[T](ta.Application, name)
	if err != nil {
		t.Fatalf("asabtest: %v", err)
	}
	return s
}
