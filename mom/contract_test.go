package mom_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/mom/momtest"
)

// localEnv runs the contract suite on in-process brokers on one in-memory
// server (each made with Connect from the first), as connections share an
// AMQP server.
type localEnv struct {
	mu    sync.Mutex
	first *mom.LocalBroker
	n     atomic.Int64
}

func (e *localEnv) NewBroker(t *testing.T) mom.Broker {
	e.mu.Lock()
	var b *mom.LocalBroker
	if e.first == nil {
		b = mom.NewLocalBroker(mom.LocalOptions{})
		e.first = b
	} else {
		b = e.first.Connect(mom.LocalOptions{})
	}
	e.mu.Unlock()
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
	momtest.Run(t, &localEnv{})
}
