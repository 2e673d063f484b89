package app

import (
	"slices"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
)

// GeneralSection and DaemonSection are the configuration sections that the
// application itself reads; docs/app.md and docs/daemon.md list their keys.
const (
	GeneralSection = "general"
	DaemonSection  = "daemon"
)

// generalSettings are the keys of [general], decoded by config.Decode. Its
// default tags agree with config.Defaults (a test checks it), which puts
// them into every application's configuration for ASAB's ${general:...}
// references. The checks that need more than a tag (a positive duration)
// are made by the readers, so that their errors quote the value as
// `configuration [general] tick_period = "0": must be a positive duration`.
type generalSettings struct {
	TickPeriod      time.Duration `ini:"tick_period" default:"1" doc:"period of Application.tick!"`
	ShutdownTimeout time.Duration `ini:"shutdown_timeout" default:"30" doc:"the deadline of exit-time"`
	// WatchdogThreshold is parsed when it is not empty (empty is off).
	WatchdogThreshold string `ini:"watchdog_threshold" default:"" doc:"exit 5 when no tick completed for this long"`
	// ReloadTimeout is read at each reload (a bad value there is a WARNING).
	ReloadTimeout string `ini:"reload_timeout" doc:"the deadline of the Reloaders"`
	// Include is read by config when it loads a file.
	Include string `ini:"include" doc:"more configuration files"`
	// VarDir is ASAB's, for ${general:var_dir} references.
	VarDir     string `ini:"var_dir" default:"/var/lib/asab" doc:"where an application keeps its state"`
	UID        string `ini:"uid" default:"" doc:"the daemon's user, unless [daemon] sets it"`
	GID        string `ini:"gid" default:"" doc:"the daemon's group, unless [daemon] sets it"`
	Pidfile    string `ini:"pidfile" default:"!" doc:"the daemon's pidfile, unless [daemon] sets it"`
	WorkingDir string `ini:"working_dir" default:"." doc:"the daemon's working directory, unless [daemon] sets it"`
	Umask      string `ini:"umask" doc:"the daemon's umask, unless [daemon] sets it"`
}

// daemonKeys are the keys of [daemon], decoded by config.Decode. An empty
// pidfile, uid, gid, working_dir or umask falls back to [general]'s key
// (as ASAB). KillTimeout has no default tag: its default depends on
// [general] shutdown_timeout and is preset by readDaemonKeys.
type daemonKeys struct {
	Pidfile      string        `ini:"pidfile" default:"" doc:"the pidfile"`
	UID          string        `ini:"uid" default:"" doc:"user to run as"`
	GID          string        `ini:"gid" default:"" doc:"group to run as"`
	WorkingDir   string        `ini:"working_dir" default:"" doc:"the daemon's working directory"`
	Umask        string        `ini:"umask" doc:"the daemon's umask"`
	KillTimeout  time.Duration `ini:"kill_timeout" doc:"how long -k waits after SIGTERM"`
	StartTimeout time.Duration `ini:"start_timeout" default:"60" doc:"how long -d waits for the daemon to become ready"`
}

// readGeneral decodes [general]: a value that does not parse is an error
// naming file:line, the key and the quoted value. The callers check what
// they use further (positiveDuration).
func (a *Application) readGeneral() (generalSettings, error) {
	var g generalSettings
	err := config.Decode(a.cfg, GeneralSection, &g)
	return g, err
}

// positive returns d, or when it is not positive an error quoting the value
// of [section] key: `configuration [general] tick_period = "0": must be a
// positive duration`.
func (a *Application) positive(section, key string, d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, a.badSetting(section, key, "must be a positive duration")
	}
	return d, nil
}

// killMargin is how much longer than [general] shutdown_timeout -k waits by
// default: the daemon may use the whole shutdown deadline, then close its
// logging and remove its pidfile.
const killMargin = 10 * time.Second

// readDaemonKeys decodes [daemon] with [general] (for the fallbacks and the
// default of kill_timeout: shutdown_timeout plus killMargin, so that -k
// does not give up on a daemon that is still stopping as configured).
// shutdown_timeout and kill_timeout must be positive (start_timeout is
// checked by -d, which uses it).
func (a *Application) readDaemonKeys() (daemonKeys, generalSettings, error) {
	g, err := a.readGeneral()
	if err != nil {
		return daemonKeys{}, g, err
	}
	if _, err := a.positive(GeneralSection, "shutdown_timeout", g.ShutdownTimeout); err != nil {
		return daemonKeys{}, g, err
	}
	d := daemonKeys{KillTimeout: g.ShutdownTimeout + killMargin}
	if err := config.Decode(a.cfg, DaemonSection, &d); err != nil {
		return d, g, err
	}
	if _, err := a.positive(DaemonSection, "kill_timeout", d.KillTimeout); err != nil {
		return d, g, err
	}
	return d, g, nil
}

// fallback returns the [daemon] value when it is set and not empty, else
// [general]'s, and the section it came from.
func fallback(daemonValue, generalValue string) (value, section string) {
	if v := strings.TrimSpace(daemonValue); v != "" {
		return v, DaemonSection
	}
	return strings.TrimSpace(generalValue), GeneralSection
}

// warnUnknownKeys logs a WARNING naming file:line and the known keys for
// each key of [general] and [daemon] that the application does not know (a
// typo such as "tick_perod").
func (a *Application) warnUnknownKeys() { a.warnUnknownKeysOf(GeneralSection, DaemonSection) }

// warnUnknownKeysOf is warnUnknownKeys for those of [general] and [daemon]
// that are among sections (a reload's changed sections).
func (a *Application) warnUnknownKeysOf(sections ...string) {
	for _, s := range []struct {
		section string
		v       any
	}{{GeneralSection, &generalSettings{}}, {DaemonSection, &daemonKeys{}}} {
		if !slices.Contains(sections, s.section) {
			continue
		}
		unknown, err := config.Unknown(a.cfg, s.section, s.v)
		if err != nil {
			a.log.Warning().Err(err).Msg("Cannot list the unknown keys of [" + s.section + "]")
			continue
		}
		for _, u := range unknown {
			a.log.Warning().Msg(u.String())
		}
	}
}
