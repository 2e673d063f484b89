package nats

import (
	"context"
	"fmt"
)

// CheckHealth implements health.Checker (through mom.Service): it fails
// while the broker has no connection to a NATS server (not started, lost
// and not yet reconnected, or closed).
func (b *Broker) CheckHealth(context.Context) error {
	nc, _, err := b.conn()
	if err != nil {
		return fmt.Errorf("mom/nats: %w", err)
	}
	if nc == nil || !nc.IsConnected() {
		return fmt.Errorf("mom/nats: not connected to %s", b.where)
	}
	return nil
}
