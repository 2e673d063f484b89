package sock

import (
	"context"
	"errors"
	"fmt"
)

// CheckHealth implements health.Checker: it fails once a server of the
// service has closed its listeners (the application is exiting, or
// Shutdown was called), naming the server. A service without servers
// passes.
func (s *Service) CheckHealth(context.Context) error {
	var err error
	for _, srv := range s.Servers() {
		select {
		case <-srv.closing:
			err = errors.Join(err, fmt.Errorf("sock: server %s of %q is not listening", srv.label, s.name))
		default:
		}
	}
	return err
}
