package sock

import (
	"fmt"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/module"
)

// ServiceName is the name under which Module registers the Service, ASAB's
// service name.
const ServiceName = "asab.StreamSocketServerService"

var _ module.Initializer = (*Service)(nil)
var _ module.Finalizer = (*Service)(nil)

// Module is the sock module's factory for app.Application.AddModule: it
// registers a Service as "asab.StreamSocketServerService", on which the
// program creates its servers (CreateServer, CreateServerFromConfig). It
// returns no module: the Service carries the lifecycle. Module is
// ModuleWith().
func Module(a *app.Application) (any, error) { return ModuleWith()(a) }

// Option configures ModuleWith.
type Option func(*options)

type options struct {
	name    string
	servers []configuredServer
}

// configuredServer is a server WithServer asked for.
type configuredServer struct {
	section string
	handler Handler
}

// WithName registers the Service under name instead of ServiceName, for a
// second service or an application's own name ("myapp.EchoServer").
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithServer makes the Service create, at init-time, one server running
// handler on the addresses and limits of the configuration section (see
// ReadServerConfig). It may be given several times.
func WithServer(section string, handler Handler) Option {
	return func(o *options) { o.servers = append(o.servers, configuredServer{section, handler}) }
}

// ModuleWith returns a module factory that registers a Service configured
// by opts:
//
//	a.AddModule(sock.ModuleWith(sock.WithServer("echo", handler)))
func ModuleWith(opts ...Option) app.ModuleFactory {
	o := options{name: ServiceName}
	for _, opt := range opts {
		opt(&o)
	}
	return func(a *app.Application) (any, error) {
		svc, err := NewService(a, o.name)
		if err != nil {
			return nil, err
		}
		svc.configured = o.servers
		if err := a.RegisterService(o.name, svc); err != nil {
			svc.stop()
			svc.sub.Unsubscribe()
			return nil, fmt.Errorf("sock: register service %q: %w", o.name, err)
		}
		return nil, nil
	}
}

// ServerModule is ModuleWith(WithName(name), WithServer(section, handler)).
//
// Deprecated: use ModuleWith.
func ServerModule(name, section string, handler Handler) app.ModuleFactory {
	return ModuleWith(WithName(name), WithServer(section, handler))
}
