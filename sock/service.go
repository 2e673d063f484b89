package sock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/pubsub"
)

// Service is ASAB's StreamSocketServerService: it runs stream socket
// servers (TCP and unix) for an application and stops them with it. Create
// it with NewService (or the Module / ServerModule factories).
type Service struct {
	app   *app.Application
	name  string
	log   *logging.Logger
	ctx   context.Context // parent of the servers' handler contexts
	stop  context.CancelFunc
	sub   *pubsub.Subscription
	descs descs

	configured []configuredServer // created by Initialize

	mu      sync.Mutex
	servers []*Server
	closed  bool // Application.exit! was published
}

// NewService builds a service that will be known by name (the name it is
// registered under, e.g. "myapp.EchoServer"; [ServiceName] for Module's). It
// does not register it: Module does, or the program with
// a.RegisterService(name, svc). Its servers' handlers get a context that is
// cancelled at the application's first stop; at Application.exit! the
// listeners close, and Finalize gives open connections the rest of the
// shutdown deadline.
func NewService(a *app.Application, name string) (*Service, error) {
	s := &Service{app: a, name: name, log: logging.Get("asab.socket"), descs: newDescs(name)}
	s.ctx, s.stop = context.WithCancel(a.Context())
	s.sub = a.PubSub().Subscribe(pubsub.Exit, func(pubsub.Message) error {
		s.closeListeners()
		return nil
	})
	return s, nil
}

// Initialize creates the servers that [WithServer] asked for, from their
// configuration sections.
func (s *Service) Initialize(ctx context.Context) error {
	for _, c := range s.configured {
		if _, err := s.CreateServerFromConfig(ctx, c.handler, c.section); err != nil {
			return err
		}
	}
	return nil
}

// Name returns the name the service is registered under.
func (s *Service) Name() string { return s.name }

// CreateServer starts a server that runs handler for every connection made
// to any of addrs (see ParseAddr for the forms), with the default limits.
// The addresses are bound before CreateServer returns (ctx bounds only
// that); Server.Addrs reports them. Call it at init-time or run-time; after
// Application.exit! it fails.
func (s *Service) CreateServer(ctx context.Context, handler Handler, addrs ...string) (*Server, error) {
	cfg := ServerConfig{}
	for _, a := range addrs {
		p, err := ParseAddr(a)
		if err != nil {
			return nil, fmt.Errorf("sock: create server: %w", err)
		}
		cfg.Addrs = append(cfg.Addrs, p)
	}
	return s.CreateServerWith(ctx, handler, cfg)
}

// CreateServerFromConfig is CreateServer with the addresses and limits read
// from a configuration section (see ReadServerConfig). Every key of the
// section is static at a live reconfiguration (app.Application.ReloadStatic):
// a changed one is a WARNING naming it, and the server keeps its value.
func (s *Service) CreateServerFromConfig(ctx context.Context, handler Handler, section string) (*Server, error) {
	s.app.ReloadStatic(section, "listen", "max_connections", "read_timeout", "write_timeout", "unix_mode")
	cfg, err := ReadServerConfig(s.app.Config(), section)
	if err != nil {
		return nil, err
	}
	return s.CreateServerWith(ctx, handler, cfg)
}

// CreateServerWith is CreateServer with explicit settings.
func (s *Service) CreateServerWith(ctx context.Context, handler Handler, cfg ServerConfig) (*Server, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("sock: create server: the application is exiting")
	}
	srv, err := newServer(ctx, s.ctx, s.log, handler, cfg, s.open(cfg))
	if err != nil {
		return nil, err
	}
	s.servers = append(s.servers, srv)
	for _, a := range srv.Addrs() {
		s.log.Notice().Str("service", s.name).Str("listen", a.Address).Str("network", a.Network).
			Int("max_connections", cap(srv.slots)).Msg("Listening")
	}
	return srv, nil
}

// Servers returns the servers created so far.
func (s *Service) Servers() []*Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Server(nil), s.servers...)
}

// closeListeners stops every server from accepting and cancels the
// handlers' context.
func (s *Service) closeListeners() []*Server {
	s.mu.Lock()
	s.closed = true
	servers := append([]*Server(nil), s.servers...)
	s.mu.Unlock()
	s.stop()
	for _, srv := range servers {
		srv.CloseListeners()
	}
	return servers
}

// Finalize closes the listeners (if Application.exit! has not already),
// waits for the connection handlers until shortly before ctx's deadline,
// closes the connections still open, and returns once every handler
// returned; an error names the servers whose handlers did not.
func (s *Service) Finalize(ctx context.Context) error {
	s.sub.Unsubscribe()
	servers := s.closeListeners()
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, srv := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = srv.Shutdown(ctx) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sock: service %q: %w", s.name, err)
	}
	return nil
}

// open makes the listeners of one address through the application, which
// keeps them across a restart (app.Application.Listen) and hands out the
// sockets systemd passed for the Systemd lines.
func (s *Service) open(cfg ServerConfig) opener {
	return func(ctx context.Context, a Addr) ([]net.Listener, error) {
		lns, err := s.app.Listen(ctx, a.Network+" "+a.Address, func(ctx context.Context) ([]net.Listener, error) {
			if a.Network == Systemd {
				return s.app.SystemdListeners(a.Address)
			}
			l, err := listen(ctx, a, cfg.UnixMode)
			if err != nil {
				return nil, err
			}
			return []net.Listener{l}, nil
		})
		if err != nil && a.Network == Systemd {
			return nil, fmt.Errorf("sock: listen on %s: %w", a, err)
		}
		return lns, err
	}
}
