package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
	"github.com/asabgo/asab/web"
)

// A web server with one route, on a port the system picks; the example
// requests /hello once and stops the application.
func Example() {
	a := app.New(
		app.WithName("example"),
		app.WithArgs(),
		app.WithConfigString("[web]\nlisten=127.0.0.1 0\naccess_log=false\n[logging:console]\nenabled=false\n"),
		app.WithInitialize(func(_ context.Context, a *app.Application) error {
			svc, err := app.Service[*web.Service](a)
			if err != nil {
				return err
			}
			svc.Echo().GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
			// Once serving, ask /hello from another goroutine and stop.
			a.PubSub().Subscribe(web.StartedMessage, func(m pubsub.Message) error {
				url := m.Args[0].(*web.Container).URL(0) + "/hello"
				go func() {
					defer a.Stop()
					res, err := http.Get(url)
					if err != nil {
						fmt.Println(err)
						return
					}
					defer res.Body.Close()
					body, _ := io.ReadAll(res.Body)
					fmt.Println(res.StatusCode, string(body))
				}()
				return nil
			})
			return nil
		}),
	)
	_ = a.AddModule(web.Module)
	fmt.Println("exit code", a.Run())
	// Output:
	// 200 Hello!
	// exit code 0
}

// The forms of a listen line.
func ExampleParseAddr() {
	for _, line := range []string{"0.0.0.0 8080", "[::1]:8443 ssl", "8080", "/run/app/web.sock", "1.2.3.4 99999"} {
		l, err := web.ParseAddr(line, "ssl:web")
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%s %s %q\n", l.Network, l.Address, l.TLS)
	}
	// Output:
	// tcp4 0.0.0.0:8080 ""
	// tcp6 [::1]:8443 "ssl:web"
	// tcp :8080 ""
	// unix /run/app/web.sock ""
	// error: bad listen address "1.2.3.4 99999": port "99999" is not a number from 0 to 65535
}
