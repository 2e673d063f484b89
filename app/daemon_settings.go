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
// the same key of [general] (the ASAB places for these keys). An
// interpolation error is returned, never mistaken for an unset key.
func (a *Application) daemonKey(key string) (string, error) {
	v, err := a.cfg.GetOr("daemon", key, "")
	if err != nil || strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), err
	}
	v, err = a.cfg.GetOr("general", key, "")
	return strings.TrimSpace(v), err
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
	wd, err := a.daemonKey("working_dir")
	if err != nil {
		return s, err
	}
	if wd != "" {
		s.workingDir = wd
	}
	if s.workingDir, err = filepath.Abs(s.workingDir); err != nil {
		return s, fmt.Errorf("configuration [daemon] working_dir: %w", err)
	}
	umask, err := a.daemonKey("umask")
	if err != nil {
		return s, err
	}
	if s.umask, err = daemon.ParseUmask(umask); err != nil {
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
