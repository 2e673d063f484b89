package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/asabgo/asab/internal/daemon"
)

// daemonSettings are the configuration of -d and -k, validated up front.
type daemonSettings struct {
	pidfile      string // absolute; "" = no pidfile
	cred         *syscall.Credential
	workingDir   string
	umask        int // -1: keep the inherited one
	killTimeout  time.Duration
	startTimeout time.Duration
}

// killMargin is how much longer than [general] shutdown_timeout -k waits by
// default: the daemon may use the whole shutdown deadline, then close its
// logging and remove its pidfile.
const killMargin = 10 * time.Second

// daemonKey returns a [daemon] key when it is set and not empty, otherwise
// the same key of [general] (the ASAB places for these keys). An
// interpolation error is returned, never mistaken for an unset key.
func (a *Application) daemonKey(key string) (string, error) {
	v, _, err := a.daemonKeyIn(key)
	return v, err
}

// daemonKeyIn is daemonKey that also names the section the value came from.
func (a *Application) daemonKeyIn(key string) (value, section string, err error) {
	v, err := a.cfg.GetOr("daemon", key, "")
	if err != nil || strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), "daemon", err
	}
	v, err = a.cfg.GetOr("general", key, "")
	return strings.TrimSpace(v), "general", err
}

// killTimeout is [daemon] kill_timeout, by default [general]
// shutdown_timeout plus killMargin, so that -k does not give up on a daemon
// that is still stopping as configured.
func (a *Application) killTimeout() (time.Duration, error) {
	shutdown, err := a.positiveDuration("general", "shutdown_timeout", 30*time.Second)
	if err != nil {
		return 0, err
	}
	return a.positiveDuration("daemon", "kill_timeout", shutdown+killMargin)
}

// checkWorkingDir makes sure the daemon can change to dir, so that the error
// names the key before the fork instead of "fork/exec ...".
func checkWorkingDir(dir, section string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("configuration [%s] working_dir %q: no such directory", section, dir)
	case err != nil:
		return fmt.Errorf("configuration [%s] working_dir %q: %w", section, dir, err)
	case !fi.IsDir():
		return fmt.Errorf("configuration [%s] working_dir %q: not a directory", section, dir)
	}
	return nil
}

// pidfilePath resolves the pidfile key: "!" is /var/run/<name>.pid, empty
// means none, a relative path is taken from the current directory.
func (a *Application) pidfilePath() (string, error) {
	p, err := a.daemonKey("pidfile")
	if err != nil {
		return "", err
	}
	switch p {
	case "":
		return "", nil
	case "!":
		return filepath.Join("/var/run", a.name+".pid"), nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("configuration [daemon] pidfile %q: %w", p, err)
	}
	return abs, nil
}

func (a *Application) positiveDuration(section, key string, def time.Duration) (time.Duration, error) {
	d, err := a.cfg.GetDurationOr(section, key, def)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, a.badSetting(section, key, "must be a positive duration")
	}
	return d, nil
}

// readDaemonSettings reads and checks every key -d uses.
func (a *Application) readDaemonSettings() (daemonSettings, error) {
	s := daemonSettings{workingDir: "."}
	var err error
	if s.pidfile, err = a.pidfilePath(); err != nil {
		return s, err
	}
	uid, err := a.daemonKey("uid")
	if err != nil {
		return s, err
	}
	gid, err := a.daemonKey("gid")
	if err != nil {
		return s, err
	}
	if s.cred, err = daemon.Credential(uid, gid); err != nil {
		return s, fmt.Errorf("configuration [daemon] uid/gid: %w", err)
	}
	wd, section, err := a.daemonKeyIn("working_dir")
	if err != nil {
		return s, err
	}
	if wd != "" {
		s.workingDir = wd
	}
	if s.workingDir, err = filepath.Abs(s.workingDir); err != nil {
		return s, fmt.Errorf("configuration [%s] working_dir %q: %w", section, wd, err)
	}
	if err := checkWorkingDir(s.workingDir, section); err != nil {
		return s, err
	}
	umask, err := a.daemonKey("umask")
	if err != nil {
		return s, err
	}
	if s.umask, err = daemon.ParseUmask(umask); err != nil {
		return s, fmt.Errorf("configuration [daemon] umask: %w", err)
	}
	if s.killTimeout, err = a.killTimeout(); err != nil {
		return s, err
	}
	if s.startTimeout, err = a.positiveDuration("daemon", "start_timeout", 60*time.Second); err != nil {
		return s, err
	}
	return s, nil
}
