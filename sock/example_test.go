package sock_test

import (
	"bufio"
	"context"
	"fmt"
	"net"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/sock"
)

// An application with an echo server on a free port: Main connects to it,
// sends a line and stops the application.
func ExampleService_CreateServer() {
	a := app.New(app.WithName("example"), app.WithArgs(),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			defer a.Stop()
			svc, err := app.Service[*sock.Service](a)
			if err != nil {
				return err
			}
			srv, err := svc.CreateServer(ctx, func(ctx context.Context, c net.Conn) {
				line, _ := bufio.NewReader(c).ReadString('\n')
				fmt.Fprintf(c, "echo: %s", line)
			}, "127.0.0.1 0")
			if err != nil {
				return err
			}
			c, err := net.Dial("tcp", srv.Addrs()[0].Address)
			if err != nil {
				return err
			}
			defer c.Close()
			fmt.Fprintln(c, "hello")
			reply, err := bufio.NewReader(c).ReadString('\n')
			fmt.Print(reply)
			return err
		}))
	_ = a.AddModule(sock.Module)
	fmt.Println("exit code", a.Run())
	// Output:
	// echo: hello
	// exit code 0
}

func ExampleParseListen() {
	addrs, err := sock.ParseListen(`
		0.0.0.0 8080
		[::1]:9000
		/run/myapp.sock   # a unix stream socket
	`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range addrs {
		fmt.Println(a.Network, a.Address)
	}
	_, err = sock.ParseListen("8080\nlocalhost http")
	fmt.Println(err)
	// Output:
	// tcp 0.0.0.0:8080
	// tcp [::1]:9000
	// unix /run/myapp.sock
	// line 2: bad listen address "localhost http": port "http" is not a number from 0 to 65535
}
