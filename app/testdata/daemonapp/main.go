// Command daemonapp is the program the daemon tests of package app build
// and start with -d, -k and under a fake NOTIFY_SOCKET.
package main

import (
	"os"

	"github.com/asabgo/asab/app"
)

func main() {
	os.Exit(app.New(app.WithName("daemonapp"), app.WithVersion("test")).Run())
}
