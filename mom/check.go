package mom

import (
	"context"
	"errors"
	"fmt"
)

// CheckHealth implements health.Checker: it asks every broker that has a
// CheckHealth method of its own (the AMQP and NATS brokers: connected or
// not) and fails, naming the broker, while one of them fails.
func (s *Service) CheckHealth(ctx context.Context) error {
	s.mu.Lock()
	names := append([]string(nil), s.order...)
	brokers := make([]Broker, len(names))
	for i, n := range names {
		brokers[i] = s.brokers[n]
	}
	s.mu.Unlock()
	var err error
	for i, b := range brokers {
		c, ok := b.(interface{ CheckHealth(context.Context) error })
		if !ok {
			continue
		}
		if e := c.CheckHealth(ctx); e != nil {
			err = errors.Join(err, fmt.Errorf("broker %q: %w", names[i], e))
		}
	}
	return err
}
