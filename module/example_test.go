package module_test

import (
	"context"
	"fmt"

	"github.com/asabgo/asab/module"
)

// cache is a service that implements two of the optional interfaces.
type cache struct{ entries map[string]string }

// The interface guards make the compiler check the signatures.
var (
	_ module.Initializer = (*cache)(nil)
	_ module.Finalizer   = (*cache)(nil)
)

func (c *cache) Initialize(ctx context.Context) error {
	c.entries = map[string]string{}
	return nil
}

func (c *cache) Finalize(ctx context.Context) error {
	c.entries = nil
	return nil
}

// The application discovers the optional interfaces by type assertion; a
// service implements only those it needs.
func Example() {
	var svc any = &cache{}
	_, initializes := svc.(module.Initializer)
	_, finalizes := svc.(module.Finalizer)
	_, runs := svc.(module.Runner)
	fmt.Println(initializes, finalizes, runs)

	// Plain functions adapt to the interfaces.
	var r module.Runner = module.RunFunc(func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fmt.Println(r.Run(ctx))
	// Output:
	// true true false
	// <nil>
}
