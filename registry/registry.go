// Package registry is the low-level service registry of an application.
//
// User code does not use it directly: it finds services with app.Service
// (by Go type) and app.ServiceNamed (by name), which are built on [ByType]
// and [Get]. The registry is for the framework and for code that lists or
// walks every service.
//
// A service is any Go value registered under a unique name such as
// "asab.WebService". [ByType] finds the one service of a Go type, and [Get]
// the service of a name as a Go type; both report a missing, ambiguous or
// mistyped service as an error naming the candidates instead of a panic.
// [Registry.Order] gives the order in which services are initialized:
// registration order, except that a service implementing
// [module.Dependent] comes after every service it names. Finalization runs
// the same order backwards.
package registry

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/asabgo/asab/module"
)

// Errors returned by the registry; test for them with errors.Is.
var (
	// ErrDuplicate is returned when a name is registered twice.
	ErrDuplicate = errors.New("service name already registered")
	// ErrNotFound is returned when no service has the name looked up.
	ErrNotFound = errors.New("service not found")
	// ErrWrongType is returned by Get when the service is not of the asked type.
	ErrWrongType = errors.New("service has another type")
	// ErrAmbiguous is returned by ByType when several services have the
	// asked type; look one up by name instead.
	ErrAmbiguous = errors.New("several services have the type")
	// ErrDependency is returned by Order for a missing dependency or a cycle.
	ErrDependency = errors.New("service dependency error")
)

// Registry holds services by name in registration order. It is safe for
// concurrent use.
type Registry struct {
	mu       sync.RWMutex
	names    []string
	services map[string]any
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{services: make(map[string]any)}
}

// Register adds svc under name. The name must be non-empty and unused, and
// svc must not be nil.
func (r *Registry) Register(name string, svc any) error {
	if name == "" {
		return fmt.Errorf("register service: empty name")
	}
	if svc == nil {
		return fmt.Errorf("register service %q: nil service", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.services[name]; ok {
		return fmt.Errorf("register service %q: %w", name, ErrDuplicate)
	}
	r.names = append(r.names, name)
	r.services[name] = svc
	return nil
}

// Lookup returns the service registered under name.
func (r *Registry) Lookup(name string) (any, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	svc, ok := r.services[name]
	return svc, ok
}

// Names returns the registered names in registration order.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.names...)
}

// Len returns the number of registered services.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.names)
}

// Get returns the service registered under name as a T. A missing name wraps
// ErrNotFound and a service of another type wraps ErrWrongType; both errors
// name the service.
func Get[T any](r *Registry, name string) (T, error) {
	var zero T
	svc, ok := r.Lookup(name)
	if !ok {
		return zero, fmt.Errorf("service %q: %w", name, ErrNotFound)
	}
	typed, ok := svc.(T)
	if !ok {
		return zero, fmt.Errorf("service %q is %T, not %s: %w", name, svc, typeName[T](), ErrWrongType)
	}
	return typed, nil
}

// ByType returns the one registered service whose type is T (for an
// interface T: that implements T). No such service wraps ErrNotFound and
// several wrap ErrAmbiguous; the error names the type and, for several, the
// candidates' names in registration order.
func ByType[T any](r *Registry) (T, error) {
	var zero T
	r.mu.RLock()
	var found []string
	var svc T
	for _, n := range r.names {
		if typed, ok := r.services[n].(T); ok {
			found = append(found, n)
			svc = typed
		}
	}
	r.mu.RUnlock()
	switch len(found) {
	case 1:
		return svc, nil
	case 0:
		return zero, fmt.Errorf("no service of type %s: %w", typeName[T](), ErrNotFound)
	default:
		return zero, fmt.Errorf("service of type %s: %d services have it, %q; look one up by name: %w",
			typeName[T](), len(found), found, ErrAmbiguous)
	}
}

// typeName is T's name as the errors show it, for interface types too.
func typeName[T any]() string {
	return reflect.TypeFor[T]().String()
}

// Order returns the service names in initialization order: registration
// order, with each service moved after the services its DependsOn names. A
// dependency on an unregistered name, or a cycle, is an error naming the
// services involved.
func (r *Registry) Order() ([]string, error) {
	r.mu.RLock()
	names := append([]string(nil), r.names...)
	deps := make(map[string][]string, len(names))
	for _, n := range names {
		if d, ok := r.services[n].(module.Dependent); ok {
			deps[n] = d.DependsOn()
		}
	}
	r.mu.RUnlock()
	return order(names, deps)
}

// order is a stable topological sort: it repeatedly takes the first name (in
// registration order) whose dependencies are all placed.
func order(names []string, deps map[string][]string) ([]string, error) {
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[n] = true
	}
	for _, n := range names {
		for _, d := range deps[n] {
			if !known[d] {
				return nil, fmt.Errorf("service %q depends on %q, which is not registered: %w", n, d, ErrDependency)
			}
		}
	}
	placed := make(map[string]bool, len(names))
	out := make([]string, 0, len(names))
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if placed[n] || !allPlaced(deps[n], placed) {
				continue
			}
			placed[n] = true
			out = append(out, n)
			progress = true
			break
		}
		if !progress {
			var stuck []string
			for _, n := range names {
				if !placed[n] {
					stuck = append(stuck, n)
				}
			}
			return nil, fmt.Errorf("services %q depend on each other in a cycle: %w", stuck, ErrDependency)
		}
	}
	return out, nil
}

func allPlaced(deps []string, placed map[string]bool) bool {
	for _, d := range deps {
		if !placed[d] {
			return false
		}
	}
	return true
}
