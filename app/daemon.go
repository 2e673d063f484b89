package app

import "fmt"

// killDaemon handles -k. Daemon support lands with the daemon package; until
// then the flag fails loudly instead of being ignored.
func (a *Application) killDaemon() int {
	fmt.Fprintf(a.stderr, "%s: -k/--kill is not yet supported\n", a.name)
	return 1
}

// daemonize handles -d; see killDaemon.
func (a *Application) daemonize() (code int, parent bool) {
	fmt.Fprintf(a.stderr, "%s: -d/--daemonize is not yet supported\n", a.name)
	return 1, true
}

// notifyServiceManager tells systemd about the phases when it asks for it;
// it lands with the daemon package.
func (a *Application) notifyServiceManager() {}
