package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// killTimeout is [daemon] kill_timeout, by default [general]
// shutdown_timeout plus killMargin (see readDaemonKeys).
func (a *Application) killTimeout() (time.Duration, error) {
	d, _, err := a.readDaemonKeys()
	return d.KillTimeout, err
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
	d, g, err := a.readDaemonKeys()
	if err != nil {
		return "", err
	}
	return a.resolvePidfile(d, g)
}

func (a *Application) resolvePidfile(d daemonKeys, g generalSettings) (string, error) {
	p, _ := fallback(d.Pidfile, g.Pidfile)
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

// readDaemonSettings reads and checks every key -d uses.
func (a *Application) readDaemonSettings() (daemonSettings, error) {
	s := daemonSettings{workingDir: "."}
	d, g, err := a.readDaemonKeys()
	if err != nil {
		return s, err
	}
	if s.pidfile, err = a.resolvePidfile(d, g); err != nil {
		return s, err
	}
	uid, _ := fallback(d.UID, g.UID)
	gid, _ := fallback(d.GID, g.GID)
	if s.cred, err = daemon.Credential(uid, gid); err != nil {
		return s, fmt.Errorf("configuration [daemon] uid/gid: %w", err)
	}
	wd, section := fallback(d.WorkingDir, g.WorkingDir)
	if wd != "" {
		s.workingDir = wd
	}
	if s.workingDir, err = filepath.Abs(s.workingDir); err != nil {
		return s, fmt.Errorf("configuration [%s] working_dir %q: %w", section, wd, err)
	}
	if err := checkWorkingDir(s.workingDir, section); err != nil {
		return s, err
	}
	umask, _ := fallback(d.Umask, g.Umask)
	if s.umask, err = daemon.ParseUmask(umask); err != nil {
		return s, fmt.Errorf("configuration [daemon] umask: %w", err)
	}
	s.killTimeout = d.KillTimeout
	if s.startTimeout, err = a.positive(DaemonSection, "start_timeout", d.StartTimeout); err != nil {
		return s, err
	}
	return s, nil
}
