package daemon_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/asabgo/asab/internal/daemon"
)

// -k with a pidfile left behind by a daemon that is gone: nothing is
// signalled, the stale file is removed.
func ExampleKill() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.pid")
	os.WriteFile(path, []byte("999999999\n"), 0o644)

	res, err := daemon.Kill(context.Background(), path, time.Second)
	fmt.Println(res.Stopped, err)
	_, statErr := os.Stat(path)
	fmt.Println(os.IsNotExist(statErr))
	// Output:
	// true <nil>
	// true
}

func ExampleChildArgs() {
	args := daemon.ChildArgs([]string{"-d", "-c", "app.conf", "-v"}, daemon.ArgSpec{
		Kind: func(name string) daemon.FlagKind {
			if name == "c" {
				return daemon.Value
			}
			return daemon.Bool
		},
		Drop:  map[string]bool{"d": true},
		Paths: map[string]bool{"c": true},
		Dir:   "/srv/app",
	})
	fmt.Println(args)
	// Output: [-c=/srv/app/app.conf -v]
}
