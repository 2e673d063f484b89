// Command echoserver is a line echo server on TCP and a unix socket: every
// line a client sends comes back. It shows a sock.Service created by a
// module factory that reads its addresses and limits from the [echoserver]
// section, and prints where it listens.
//
//	go run ./examples/echoserver -c examples/echoserver/echoserver.conf
//
// Try it with `nc 127.0.0.1 7000` or `nc -U /tmp/echoserver.sock`; stop it
// with Ctrl-C.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/examples/echoserver/echo"
	"github.com/asabgo/asab/sock"
)

func main() {
	a := app.New(
		app.WithName("echoserver"),
		app.WithVersion("1.0.0"),
		app.WithDescription("A line echo server on TCP and a unix socket."),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			svc, err := app.ServiceNamed[*sock.Service](a, "echoserver.EchoServer")
			if err != nil {
				return err
			}
			for _, srv := range svc.Servers() {
				for _, addr := range srv.Addrs() {
					fmt.Printf("listening on %s %s\n", addr.Network, addr.Address)
				}
			}
			return nil
		}),
	)
	a.AddModule(sock.ModuleWith(sock.WithName("echoserver.EchoServer"), sock.WithServer("echoserver", echo.Lines)))
	os.Exit(a.Run())
}
