package app

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/asabgo/asab/internal/daemon"
	"github.com/asabgo/asab/logging"
	godaemon "github.com/sevlyar/go-daemon"
	"golang.org/x/sys/unix"
)

// daemonPidfileEnv carries the daemon's pidfile across a restart
// (re-execution keeps the pid): "<fd>:<path>" of the open, locked file.
const daemonPidfileEnv = "ASAB_DAEMON_PIDFILE"

// adoptDaemon takes over the pidfile when this process is the daemon that
// -d started, or the same daemon re-executed by a restart, and arranges its
// removal when Run ends. It reports whether this is a freshly started
// daemon (whose NOTIFY_SOCKET is the starting process's readiness socket).
func (a *Application) adoptDaemon() bool {
	log := logging.Get("asab.daemon")
	if godaemon.WasReborn() {
		// Reborn takes its child branch only while the mark is set: unset
		// it afterwards (our own children are no daemons), never before.
		dctx := &godaemon.Context{}
		_, err := dctx.Reborn()
		_ = os.Unsetenv(godaemon.MARK_NAME)
		if err != nil {
			a.abortStart(fmt.Errorf("daemon hand-over (pidfile %q): %w", dctx.PidFileName, err))
			return true
		}
		// go-daemon left /dev/null on fd 3 and the locked pidfile on fd 4
		// without close-on-exec; our subprocesses must not inherit them.
		unix.CloseOnExec(3)
		if dctx.PidFileName != "" {
			unix.CloseOnExec(4)
			// A duplicate of our own keeps the lock however go-daemon's
			// *os.File for fd 4 ends.
			fd, err := unix.FcntlInt(4, unix.F_DUPFD_CLOEXEC, 10)
			if err != nil {
				a.abortStart(fmt.Errorf("daemon pidfile %s: %w", dctx.PidFileName, err))
				return true
			}
			a.keepPidfile(os.NewFile(uintptr(fd), dctx.PidFileName))
			log.Info().Str("pidfile", dctx.PidFileName).Int("pid", os.Getpid()).Msg("Daemon started")
		}
		return true
	}
	if v, ok := os.LookupEnv(daemonPidfileEnv); ok {
		_ = os.Unsetenv(daemonPidfileEnv)
		f, err := restartedPidfile(v)
		if err != nil {
			log.Warning().Err(err).Msg("Restarted daemon could not take over its pidfile")
			return false
		}
		a.keepPidfile(f)
	}
	return false
}

// restartedPidfile checks that "<fd>:<path>" is our pidfile: fd and path
// are the same file and it names this process.
func restartedPidfile(v string) (*os.File, error) {
	fdText, path, _ := strings.Cut(v, ":")
	fd, err := strconv.Atoi(fdText)
	if err != nil || fd < 3 || path == "" {
		return nil, fmt.Errorf("%s=%q: want <fd>:<path>", daemonPidfileEnv, v)
	}
	var byFd, byPath syscall.Stat_t
	if err := syscall.Fstat(fd, &byFd); err != nil {
		return nil, fmt.Errorf("pidfile fd %d: %w", fd, err)
	}
	if err := syscall.Stat(path, &byPath); err != nil || byFd.Ino != byPath.Ino || byFd.Dev != byPath.Dev {
		return nil, fmt.Errorf("pidfile %s: fd %d is another file", path, fd)
	}
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), path)
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	if pid, err := daemon.ParsePid(bytes.TrimSpace(buf[:n])); err != nil || pid != os.Getpid() {
		f.Close()
		return nil, fmt.Errorf("pidfile %s does not name this process (%d)", path, os.Getpid())
	}
	return f, nil
}

// keepPidfile removes the pidfile when Run ends, or hands it, still locked,
// to the re-executed process of a restart.
func (a *Application) keepPidfile(f *os.File) {
	a.onRunEnd(func() {
		if _, restart := a.ExitCode(); restart {
			fd := int(f.Fd())
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err == nil {
				_ = os.Setenv(daemonPidfileEnv, fmt.Sprintf("%d:%s", fd, f.Name()))
				return
			}
		}
		// Logging is closed by now; a failure is only visible as an
		// emptied pidfile, which -k and -d treat as "not running".
		_, _ = daemon.Remove(f)
	})
}

// abortStart ends start-up of a daemon that could not take over from the
// starting process; the starting process reports the exit.
func (a *Application) abortStart(err error) {
	logging.Get("asab.daemon").Error().Err(err).Msg("Daemon start-up failed")
	_, _ = notifyStatus("STATUS=" + err.Error())
	a.SetExitCode(1, false)
	a.countStop(-1, stopFailed)
}
