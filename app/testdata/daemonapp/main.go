// Command daemonapp is the program the daemon tests of package app build
// and start with -d, -k and under a fake NOTIFY_SOCKET. SIGUSR1 asks it to
// restart (Application.Restart), and each start appends a line "start <pid>"
// to the file named by -starts, if given, and each SIGHUP a line "hup <pid>".
// -stop-delay makes Main take that
// long to return after the stop request.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/pubsub"
)

// record appends one line to the file named by path, if any.
func record(path, what string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%s %d\n", what, os.Getpid())
	return err
}

func main() {
	var starts string
	var stopDelay time.Duration
	// Caught from the start, so that a SIGUSR1 sent as soon as the service
	// manager sees READY=1 cannot kill the process before Main runs.
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	a := app.New(app.WithName("daemonapp"), app.WithVersion("test"),
		app.WithFlags(func(fs *flag.FlagSet) {
			fs.StringVar(&starts, "starts", "", "record starts in `FILE`")
			fs.DurationVar(&stopDelay, "stop-delay", 0, "return from Main this long after the stop request")
		}),
		app.WithMain(func(ctx context.Context, a *app.Application) error {
			a.PubSub().Subscribe(pubsub.Hup, func(pubsub.Message) error { return record(starts, "hup") })
			if err := record(starts, "start"); err != nil {
				return err
			}
			select {
			case <-usr1:
				a.Restart()
			case <-ctx.Done():
				time.Sleep(stopDelay)
			}
			return nil
		}))
	os.Exit(a.Run())
}
