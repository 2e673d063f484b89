package app

import (
	"fmt"
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

// daemonKey returns a [daemon] key when it is set and not empty, otherwise
// the same key of [general] (the ASAB places for these keys).
func (a *Application) daemonKey(key string) string {
	if v := strings.TrimSpace(a.cfg.GetOr("daemon", key, "")); v != "" {
		return v
	}
	return strings.TrimSpace(a.cfg.GetOr("general", key, ""))
}

// pidfilePath resolves the pidfile key: "!" is /var/run/<name>.pid, empty
// means none, a relative path is taken from the current directory.
func (a *Application) pidfilePath() (string, error) {
	p := a.daemonKey("pidfile")
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
		return 0, errBadSetting(section, key, "must be a positive duration")
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
	uid, gid := a.daemonKey("uid"), a.daemonKey("gid")
	if s.cred, err = daemon.Credential(uid, gid); err != nil {
		return s, fmt.Errorf("configuration [daemon] uid/gid: %w", err)
	}
	if wd := a.daemonKey("working_dir"); wd != "" {
		s.workingDir = wd
	}
	if s.workingDir, err = filepath.Abs(s.workingDir); err != nil {
		return s, fmt.Errorf("configuration [daemon] working_dir: %w", err)
	}
	if s.umask, err = daemon.ParseUmask(a.daemonKey("umask")); err != nil {
		return s, fmt.Errorf("configuration [daemon] umask: %w", err)
	}
	if s.killTimeout, err = a.positiveDuration("daemon", "kill_timeout", 10*time.Second); err != nil {
		return s, err
	}
	if s.startTimeout, err = a.positiveDuration("daemon", "start_timeout", 60*time.Second); err != nil {
		return s, err
	}
	return s, nil
}
