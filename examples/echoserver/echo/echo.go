// Package echo is the connection handler of the echoserver example, in its
// own package so that the socket benchmark (bench/sock) runs the very same
// handler through the framework and through a bare net.Listener.
package echo

import (
	"bufio"
	"context"
	"net"
)

// Lines writes back every line it reads until the client closes the
// connection, an I/O error (an idle timeout included) happens, or ctx is
// done: at stop, the connection is closed so a Read blocked on a quiet
// client returns at once.
func Lines(ctx context.Context, conn net.Conn) {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		if _, err := conn.Write(line); err != nil {
			return
		}
	}
}
