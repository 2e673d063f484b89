package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// Application.Reload re-reads the configuration file, as SIGHUP does, and
// returns the sections that changed; Application.reload! carries them too.
func ExampleApplication_Reload() {
	dir, err := os.MkdirTemp("", "reload-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "app.conf")
	write := func(text string) {
		if err := os.WriteFile(conf, []byte("[logging]\nlevel = ERROR\n"+text), 0o600); err != nil {
			fmt.Println(err)
		}
	}
	write("[greeter]\ngreeting = Hello\n[other]\nx = 1\n")
	a := app.New(app.WithName("example"), app.WithArgs("-c", conf),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			defer a.Stop()
			write("[greeter]\ngreeting = Ahoy\n[other]\nx = 1\n")
			changed, err := a.Reload(ctx)
			greeting, _ := a.Config().Get("greeter", "greeting")
			fmt.Println(changed, err, greeting)
			return nil
		}))
	a.PubSub().Subscribe(pubsub.Reload, func(m pubsub.Message) error {
		fmt.Println(m.Type, m.Args[0])
		return nil
	})
	fmt.Println("exit", a.Run())
	// Output:
	// Application.reload! [greeter]
	// [greeter] <nil> Ahoy
	// exit 0
}
