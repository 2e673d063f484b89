// Package sock runs stream socket servers, TCP and unix, inside an asab
// application: ASAB's StreamSocketServerService.
//
// [Module] registers a [Service] as "asab.StreamSocketServerService"
// ([ModuleWith] with [WithName] under a name of the program's, and with
// [WithServer] to create a server from a configuration section at
// init-time). Each call to [Service.CreateServer] binds one or more
// addresses and runs a [Handler] in its own goroutine for every connection:
//
//	a.AddModule(sock.Module)
//	// later, e.g. in Initialize or Main:
//	svc, _ := app.Service[*sock.Service](a)
//	srv, err := svc.CreateServer(ctx, func(ctx context.Context, c net.Conn) {
//		io.Copy(c, c)
//	}, "127.0.0.1 7000", "/run/myapp/echo.sock")
//
// Addresses take the forms of the [web] listen key: "8080", "0.0.0.0 8080",
// "127.0.0.1:8080", "[::1]:8080", or a unix socket path. Port 0 binds a free
// port that [Server.Addrs] reports. [ReadServerConfig] reads the addresses
// (a multi-line listen key) and limits from a configuration section.
//
// # Unix sockets
//
// A socket file left behind by a process that died is removed at start,
// but only when nothing answers on it; a live socket, or a file that is not
// a socket, is an error. The file is removed when the listener closes and
// its permissions are set from unix_mode when given.
//
// # Stopping
//
// The handlers' context is cancelled at the application's first stop (for
// a connection not answered yet, once its first Write returned or a second
// later; see Handler). At Application.exit! the listeners close. Finalize then gives open
// connections the shutdown deadline ([general] shutdown_timeout), keeping
// its last tenth (at most a second) to close the connections still open so
// that handlers blocked in Read or Write return; it returns once every
// handler has returned.
//
// # Connection limit
//
// A server handles at most max_connections (default 1024) connections at
// once. Past the limit it stops accepting: the connection just accepted
// waits for a free slot and further clients wait in the kernel's listen
// backlog (they are not refused, so a burst is absorbed). Each wait is
// counted in [Stats].LimitWaits and logged (at most once a second).
//
// # Idle timeouts
//
// [IdleTimeout] wraps a connection so each Read or Write must make progress
// within a duration; read_timeout and write_timeout apply it to every
// connection of a server.
package sock
