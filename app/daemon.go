package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/asabgo/asab/internal/daemon"
	godaemon "github.com/sevlyar/go-daemon"
)

// killDaemon handles -k: stop the daemon named by the pidfile and wait for
// it, at most [daemon] kill_timeout. Exit code 0 when it stopped or was not
// running, 1 otherwise; the outcome is one line on stderr.
func (a *Application) killDaemon() int {
	path, err := a.pidfilePath()
	if err == nil && path == "" {
		err = errors.New("no pidfile is configured ([daemon] and [general] pidfile are empty), so there is no daemon to find")
	}
	d, derr := a.killTimeout()
	if err == nil {
		err = derr
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: -k: %v\n", a.name, err)
		return 1
	}
	res, err := daemon.Kill(context.Background(), path, d)
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: -k: %v\n", a.name, err)
		return 1
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", a.name, res.Message)
	if !res.Stopped {
		return 1
	}
	return 0
}

// daemonize handles -d in the starting process: it checks the settings and
// the pidfile, starts the daemon with go-daemon (new session, the same
// command line without -d, stdout/stderr on /dev/null or the -l log file,
// [daemon] working_dir, uid/gid, umask) and waits until the daemon reports
// ready (after Application.run!, so its pidfile is written) or fails. It
// returns parent=false only in the daemon itself (a program whose WithArgs
// hard-codes -d), which then carries on as the application.
func (a *Application) daemonize() (code int, parent bool) {
	if godaemon.WasReborn() {
		return 0, false
	}
	fail := func(format string, args ...any) (int, bool) {
		fmt.Fprintf(a.stderr, "%s: -d: "+format+"\n", append([]any{a.name}, args...)...)
		return 1, true
	}
	s, err := a.readDaemonSettings()
	if err != nil {
		return fail("%v", err)
	}
	// The daemon's own start-up errors go to /dev/null; catch these here.
	if _, err := a.readRunSettings(); err != nil {
		return fail("%v", err)
	}
	if s.pidfile != "" {
		if err := a.preparePidfile(s); err != nil {
			return fail("%v", err)
		}
	}
	ready, err := daemon.ListenReady()
	if err != nil {
		return fail("%v", err)
	}
	defer ready.Close()
	cwd, err := os.Getwd()
	if err != nil {
		return fail("%v", err)
	}
	logFile := a.cmd.LogFile
	if logFile != "" {
		logFile = filepath.Join(cwd, logFile)
		if filepath.IsAbs(a.cmd.LogFile) {
			logFile = a.cmd.LogFile
		}
	}
	dctx := &godaemon.Context{
		PidFileName: s.pidfile,
		PidFilePerm: 0o644,
		LogFileName: logFile,
		LogFilePerm: 0o640,
		WorkDir:     s.workingDir,
		Env:         a.daemonEnv(cwd, ready.Addr()),
		Args:        append([]string{os.Args[0]}, a.daemonArgs(cwd)...),
		Credential:  s.cred,
	}
	if s.umask >= 0 {
		// The umask is inherited across exec; restore ours afterwards.
		defer syscall.Umask(syscall.Umask(s.umask))
	}
	child, err := dctx.Reborn()
	if errors.Is(err, godaemon.ErrWouldBlock) {
		st, _ := daemon.Probe(s.pidfile)
		return fail("already running as pid %d (pidfile %s is locked)", st.Pid, s.pidfile)
	}
	if err != nil && child == nil {
		return fail("start the daemon: %v", err)
	}
	// With a child, an error is the hand-over pipe breaking because the
	// daemon already died: Wait reports how it ended.
	if err := ready.Wait(context.Background(), child.Pid, s.startTimeout); err != nil {
		if s.pidfile != "" {
			// A daemon that died before it was ready leaves the file
			// go-daemon created; a daemon still starting keeps it locked.
			if st, perr := daemon.Probe(s.pidfile); perr == nil && (st.State == daemon.Empty || st.State == daemon.Stale) {
				_ = daemon.RemoveStale(s.pidfile)
			}
		}
		return fail("%v", err)
	}
	where := "no pidfile"
	if s.pidfile != "" {
		where = "pidfile " + s.pidfile
	}
	fmt.Fprintf(a.stderr, "%s: daemon started as pid %d (%s)\n", a.name, child.Pid, where)
	return 0, true
}

// preparePidfile refuses a pidfile that a running daemon holds, warns
// about and replaces a stale one, and, when privileges are dropped, creates
// the file owned by the daemon's user so that the daemon can remove it at
// exit (approach: chown; the directory must let that user delete files,
// e.g. a directory owned by it or a sticky one like /tmp).
func (a *Application) preparePidfile(s daemonSettings) error {
	st, err := daemon.Probe(s.pidfile)
	if err != nil {
		return err
	}
	switch st.State {
	case daemon.Running:
		if st.Pid == 0 {
			return fmt.Errorf("already running: pidfile %s is locked by a daemon that is still starting", s.pidfile)
		}
		return fmt.Errorf("already running as pid %d (pidfile %s is locked by it)", st.Pid, s.pidfile)
	case daemon.Stale:
		fmt.Fprintf(a.stderr, "%s: warning: stale pidfile %s (pid %d no longer holds it); replacing it\n", a.name, s.pidfile, st.Pid)
	}
	if s.cred == nil {
		return nil
	}
	f, err := os.OpenFile(s.pidfile, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", s.pidfile, err)
	}
	defer f.Close()
	if err := f.Chown(int(s.cred.Uid), int(s.cred.Gid)); err != nil {
		return fmt.Errorf("pidfile %s: give it to uid %d: %w", s.pidfile, s.cred.Uid, err)
	}
	if dir := filepath.Dir(s.pidfile); !daemon.WritableBy(dir, s.cred.Uid) {
		fmt.Fprintf(a.stderr, "%s: warning: uid %d may not delete files in %s; the daemon will empty its pidfile at exit instead of removing it (use a directory it owns, e.g. /run/%s/)\n",
			a.name, s.cred.Uid, dir, a.name)
	}
	return nil
}

// daemonEnv is the daemon's environment: ours, with NOTIFY_SOCKET naming
// the readiness socket, no systemd watchdog variables (they are ours, not
// the daemon's), and ASAB_CONFIG made absolute.
func (a *Application) daemonEnv(cwd, notify string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", godaemon.MARK_NAME, daemonPidfileEnv, "ASAB_CONFIG":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "NOTIFY_SOCKET="+notify)
	if c := os.Getenv("ASAB_CONFIG"); c != "" {
		if !filepath.IsAbs(c) {
			c = filepath.Join(cwd, c)
		}
		env = append(env, "ASAB_CONFIG="+c)
	}
	return env
}

// daemonArgs is our command line without -d/--daemonize and with the -c and
// -l paths made absolute (the daemon changes to [daemon] working_dir).
func (a *Application) daemonArgs(cwd string) []string {
	args := a.settings.args
	if !a.settings.argsSet {
		args = os.Args[1:]
	}
	own := flag.NewFlagSet(a.name, flag.ContinueOnError)
	for _, add := range a.settings.flags {
		add(own) // the starting process exits after this, so re-binding is harmless
	}
	kind := func(name string) daemon.FlagKind {
		switch name {
		case "c", "config", "l", "log-file":
			return daemon.Value
		case "v", "verbose", "s", "syslog", "d", "daemonize", "k", "kill", "h", "help", "version":
			return daemon.Bool
		}
		f := own.Lookup(name)
		if f == nil {
			return daemon.Unknown
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			return daemon.Bool
		}
		return daemon.Value
	}
	return daemon.ChildArgs(args, daemon.ArgSpec{
		Kind:  kind,
		Drop:  map[string]bool{"d": true, "daemonize": true},
		Paths: map[string]bool{"c": true, "config": true, "l": true, "log-file": true},
		Dir:   cwd,
	})
}

// notifyServiceManager runs after logging is set up. In the daemon it
// completes the hand-over from the starting process (go-daemon writes the
// pidfile) or adopts the pidfile across a restart; then it reports the
// phases to systemd, or to the starting process, over NOTIFY_SOCKET.
func (a *Application) notifyServiceManager() {
	child := a.adoptDaemon()
	a.startNotifier(child)
}
