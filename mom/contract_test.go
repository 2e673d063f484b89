package mom_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/momtest"
)

// localEnv runs the contract suite on in-process brokers sharing a Hub,
// as connections share an AMQP server.
type localEnv struct {
	hub *mom.Hub
	n   atomic.Int64
}

func (e *localEnv) NewBroker(t *testing.T) mom.Broker {
	b := mom.NewLocalBroker(mom.LocalOptions{Hub: e.hub})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	return b
}

func (e *localEnv) Queue(*testing.T) string    { return fmt.Sprintf("q%d", e.n.Add(1)) }
func (e *localEnv) Exchange(*testing.T) string { return fmt.Sprintf("x%d", e.n.Add(1)) }

func TestLocalContract(t *testing.T) {
	momtest.Run(t, &localEnv{hub: mom.NewHub()})
}
