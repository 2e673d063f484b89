package amqp

import (
	"context"
	"errors"
	"fmt"
)

// CheckHealth implements health.Checker (through mom.Service): it fails
// while the broker has no connection to the server (not started, lost and
// not yet reconnected, or closed), so that a required check makes the
// application not ready until the broker reconnects.
func (b *Broker) CheckHealth(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.sess != nil:
		return nil
	case b.closing:
		return errors.New("mom/amqp: broker closed")
	case !b.started:
		return errors.New("mom/amqp: broker not started")
	}
	return fmt.Errorf("mom/amqp: not connected to %s", b.where)
}
