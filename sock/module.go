package sock

import (
	"context"

	"github.com/asabgo/asab/app"
)

// Module returns a module factory that registers a Service under name, for
// applications that create their servers themselves:
//
//	a.AddModule(sock.Module("myapp.EchoServer"))
//	// later, e.g. in Initialize:
//	svc, err := app.GetService[*sock.Service](a, "myapp.EchoServer")
//	srv, err := svc.CreateServer(ctx, handler, "127.0.0.1 7000")
func Module(name string) app.ModuleFactory {
	return func(a *app.Application) (any, error) {
		svc, err := NewService(a, name)
		if err != nil {
			return nil, err
		}
		return &serviceModule{svc: svc}, nil
	}
}

// ServerModule returns a module factory that registers a Service under name
// and, at init-time, creates one server running handler on the addresses
// and limits of the configuration section (see ReadServerConfig).
func ServerModule(name, section string, handler Handler) app.ModuleFactory {
	return func(a *app.Application) (any, error) {
		svc, err := NewService(a, name)
		if err != nil {
			return nil, err
		}
		return &serverModule{svc: svc, section: section, handler: handler}, nil
	}
}

// serviceModule is the module Module adds; the service does the work.
type serviceModule struct{ svc *Service }

// serverModule is the module ServerModule adds.
type serverModule struct {
	svc     *Service
	section string
	handler Handler
}

// Initialize creates the configured server.
func (m *serverModule) Initialize(ctx context.Context) error {
	_, err := m.svc.CreateServerFromConfig(ctx, m.handler, m.section)
	return err
}
