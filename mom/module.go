package mom

import (
	"fmt"

	"github.com/asabgo/asab/app"
)

// Option configures NewService and ModuleWith.
type Option func(*options)

type options struct {
	kinds map[string]BrokerFactory
}

// WithBrokerKind links in a broker kind besides "local": every
// [asab:mom:KIND] and [asab:mom:KIND:NAME] section is handed to f. Package
// mom/amqp's Module uses it for "amqp":
//
//	a.AddModule(mom.ModuleWith(
//		mom.WithBrokerKind("amqp", amqp.FromConfig),
//		mom.WithBrokerKind("nats", nats.FromConfig)))
func WithBrokerKind(kind string, f BrokerFactory) Option {
	return func(o *options) { o.kinds[kind] = f }
}

// ModuleWith returns a module factory that builds the Service with
// NewService(a, opts...) and registers it as ServiceName. It returns no
// module: the Service carries the lifecycle. Module is ModuleWith().
func ModuleWith(opts ...Option) app.ModuleFactory {
	return func(a *app.Application) (any, error) {
		svc, err := NewService(a, opts...)
		if err != nil {
			return nil, err
		}
		if err := a.RegisterService(ServiceName, svc); err != nil {
			return nil, fmt.Errorf("mom: %w", err)
		}
		return nil, nil
	}
}
