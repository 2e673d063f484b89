package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/module"
	"github.com/asabgo/asab/pubsub"
)

// ErrReloadRefused is wrapped by the error of a Reload that changed
// nothing: the configuration did not load, a ConfigValidator refused it, or
// the application was not running.
var ErrReloadRefused = errors.New("configuration reload refused; the old configuration stays in force")

// defaultReloadTimeout bounds the Reloaders when [general] reload_timeout
// is unset.
const defaultReloadTimeout = 30 * time.Second

// reloadState is the part of Application that live reconfiguration uses.
type reloadState struct {
	mu       sync.Mutex // serializes reloads
	staticMu sync.Mutex // guards static, so a Reloader may call ReloadStatic
	static   []staticKey
}

// staticKey is a key that cannot change at run time.
type staticKey struct{ section, key string }

// builtinStatic are the keys the application itself reads only at start:
// the tick loop, the watchdog and the exit-time deadline are set up from
// them when Run begins.
var builtinStatic = [...]staticKey{
	{"general", "tick_period"},
	{"general", "watchdog_threshold"},
	{"general", "shutdown_timeout"},
}

// ReloadStatic declares keys of section that cannot change at run time,
// such as a listen address. When a reload finds one of them changed, it
// logs a WARNING naming the key and keeps the old value (in the new
// configuration too, so Config shows the value in force); the rest of the
// reload goes on. A module calls it from its factory or its Initialize:
//
//	a.ReloadStatic("web", "listen")
//
// Without keys, every key of section is static: a module that applies
// nothing of its section at run time declares it so.
//
// [general] tick_period, watchdog_threshold and shutdown_timeout are static
// without a declaration.
func (a *Application) ReloadStatic(section string, keys ...string) {
	a.reload.staticMu.Lock()
	defer a.reload.staticMu.Unlock()
	if len(keys) == 0 {
		a.reload.static = append(a.reload.static, staticKey{section, ""})
	}
	for _, k := range keys {
		a.reload.static = append(a.reload.static, staticKey{section, strings.ToLower(k)})
	}
}

// staticKeys are the built-in static keys and the declared ones.
func (a *Application) staticKeys() []staticKey {
	a.reload.staticMu.Lock()
	defer a.reload.staticMu.Unlock()
	return append(builtinStatic[:len(builtinStatic):len(builtinStatic)], a.reload.static...)
}

// Reload re-reads the configuration from the sources of start-up (the
// defaults, those modules added with AddDefaults included, the embedded
// text, the file from -c or ASAB_CONFIG with its includes, environment
// expansion) and applies it in two phases, so that it is never half
// applied:
//
//  1. Validate: the new configuration is loaded into a new Config, static
//     keys (ReloadStatic) that changed get their old values back, and every
//     module and service that implements module.ConfigValidator checks it,
//     in registration order (the logging pipeline first, when it implements
//     the interface). A load error, a file gone that an include names by its
//     exact path and that the running configuration was read from
//     (config.Config.MissingIncludes), or any refusal ends the reload here: it
//     is logged as an ERROR, nothing changes, and the error, which wraps
//     ErrReloadRefused, is returned.
//  2. Apply: a WARNING names each static key whose new value is ignored;
//     the new values replace the old ones atomically inside the
//     application's Config (the same *config.Config, so code holding it
//     reads the new values); the logging pipeline applies its part, so that
//     the NOTICE "Configuration reloaded" follows the new thresholds;
//     Application.reload! is published with the sections that changed; and
//     every other module.Reloader is called, in the same order, all under
//     one [general] reload_timeout. A Reloader's error cannot
//     undo the swap: it is logged as an ERROR naming the module or service
//     and returned (joined with the others), not wrapping ErrReloadRefused.
//
// Reload returns the sections that changed. Reloads are serialized; SIGHUP
// runs one as a background task. Reload refuses to run outside run-time.
func (a *Application) Reload(ctx context.Context) ([]string, error) {
	a.reload.mu.Lock()
	defer a.reload.mu.Unlock()
	if p := a.Phase(); p != PhaseRunning {
		err := fmt.Errorf("%w: the application is %s, not running", ErrReloadRefused, p)
		a.log.Warning().Err(err).Msg("Configuration not reloaded")
		return nil, err
	}
	old := a.cfg
	next := config.New()
	next.AddDefaultsOf(old) // the defaults of start-up and those modules added since
	err := a.readConfigSources(next)
	if err == nil {
		err = vanishedInclude(old, next)
	}
	if err != nil {
		a.log.Error().Err(err).Msg("Configuration reload failed; keeping the old configuration")
		return nil, fmt.Errorf("%w: %w", ErrReloadRefused, err)
	}
	kept := keepStatic(old, next, a.staticKeys())
	if err := a.validateConfig(next); err != nil {
		return nil, err
	}
	for _, k := range kept {
		a.log.Warning().Str("section", k.section).Str("key", k.key).Str("running", k.old).Str("ignored", k.new).
			Msg("Configuration key cannot change at run time; keeping the old value")
	}
	changed := changedSections(old, next)
	old.ReplaceWith(next)
	ctx, cancel, timeout := a.reloadDeadline(ctx)
	defer cancel()
	// The logging pipeline applies its part first, so that the lines about
	// the reload, this NOTICE included, follow the new thresholds and go to
	// the new outputs.
	parts := a.reloadParts()
	var first []reloadPart
	if len(parts) > 0 && parts[0].name == "logging" {
		first, parts = parts[:1], parts[1:]
	}
	errs := a.applyConfig(ctx, timeout, changed, first)
	for _, w := range next.Warnings() {
		a.log.Warning().Msg(w)
	}
	a.warnUnknownKeysOf(changed...)
	a.log.Notice().Str("changed", strings.Join(changed, ", ")).Msg("Configuration reloaded")
	a.ps.Publish(pubsub.Reload, slices.Clone(changed))
	errs = append(errs, a.applyConfig(ctx, timeout, changed, parts)...)
	return changed, errors.Join(errs...)
}

// errIncludeVanished is wrapped by the error of a reload that found a file
// gone that an include names by its exact path and that the running
// configuration was read from.
var errIncludeVanished = errors.New("the running configuration was read from it; a file named without a wildcard must not vanish (take it out of [general] include to drop it)")

// vanishedInclude refuses next when a file that an include of it names by
// its exact path is missing while the running configuration old was read
// from it: a credentials file on a mount that failed, a file being
// rewritten by a deployment. Loading ignores a missing include (as Python
// ASAB does), so without this the reload would silently drop every value
// the file gave. A glob's match that is gone is a change like any other.
func vanishedInclude(old, next *config.Config) error {
	read := old.Files()
	for _, m := range next.MissingIncludes() {
		if _, ok := read[m.Path]; ok {
			return fmt.Errorf("config: %s: %w", m, errIncludeVanished)
		}
	}
	return nil
}

// keptValue is a static key whose new value a reload ignores.
type keptValue struct {
	staticKey
	old, new string
}

// keepStatic copies the old value of every static key that differs into
// next and returns them.
func keepStatic(old, next *config.Config, static []staticKey) []keptValue {
	var kept []keptValue
	seen := map[staticKey]bool{}
	static = slices.Clone(static)
	for i := 0; i < len(static); i++ {
		if static[i].key != "" {
			continue
		}
		// A whole section: every key either configuration has in it.
		for _, k := range append(old.Keys(static[i].section), next.Keys(static[i].section)...) {
			static = append(static, staticKey{static[i].section, k})
		}
	}
	for _, k := range static {
		if k.key == "" {
			continue
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		ov, oerr := old.Get(k.section, k.key)
		nv, nerr := next.Get(k.section, k.key)
		if ov == nv && errText(oerr) == errText(nerr) {
			continue
		}
		if oerr != nil {
			ov = "(unset)"
		}
		if nerr != nil {
			nv = "(unset)"
		}
		kept = append(kept, keptValue{k, ov, nv})
		next.CopyValue(old, k.section, k.key)
	}
	return kept
}

// reloadPart is a module or service taking part in a reload, by the name
// its log lines give it.
type reloadPart struct {
	name  string
	value any
}

// reloadParts lists what takes part in a reload: the logging pipeline
// first (when it implements the interfaces, so that the lines about the
// rest follow the new logging settings), then the modules (in the order
// they were added), then the services (in initialization order), as
// initialize walked them.
func (a *Application) reloadParts() []reloadPart {
	var parts []reloadPart
	a.mu.Lock()
	pipeline := a.pipeline
	a.mu.Unlock()
	if pipeline != nil {
		parts = append(parts, reloadPart{"logging", any(pipeline)})
	}
	for i, m := range a.Modules() {
		parts = append(parts, reloadPart{"module " + a.moduleNames[i], m})
	}
	order, err := a.reg.Order()
	if err != nil { // initialize succeeded with the same registry, so this is not expected
		order = a.reg.Names()
	}
	for _, name := range order {
		svc, _ := a.reg.Lookup(name)
		parts = append(parts, reloadPart{fmt.Sprintf("service %q", name), svc})
	}
	return parts
}

// validateConfig asks every ConfigValidator about next and logs each
// refusal; the error joins them and wraps ErrReloadRefused.
func (a *Application) validateConfig(next *config.Config) error {
	var errs []error
	for _, p := range a.reloadParts() {
		v, ok := p.value.(module.ConfigValidator)
		if !ok {
			continue
		}
		err := runTask(context.Background(), func(context.Context) error { return v.ValidateConfig(next) })
		if err != nil {
			a.log.Error().Str("what", p.name).Err(err).Msg("New configuration refused; keeping the old configuration")
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrReloadRefused, errors.Join(errs...))
}

// reloadDeadline is ctx bounded by [general] reload_timeout, the deadline
// of all Reloaders of one reload, and that timeout.
func (a *Application) reloadDeadline(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	timeout, err := a.cfg.GetDurationOr("general", "reload_timeout", defaultReloadTimeout)
	if err != nil || timeout <= 0 {
		a.log.Warning().Err(err).Str("used", defaultReloadTimeout.String()).Msg("Bad [general] reload_timeout; using the default")
		timeout = defaultReloadTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, timeout
}

// applyConfig calls the Reloader of each of parts under ctx, the reload
// deadline (of timeout). One that overruns it is reported by name and
// abandoned.
func (a *Application) applyConfig(ctx context.Context, timeout time.Duration, changed []string, parts []reloadPart) []error {
	var errs []error
	for _, p := range parts {
		r, ok := p.value.(module.Reloader)
		if !ok {
			continue
		}
		errc := make(chan error, 1)
		go func() {
			errc <- runTask(ctx, func(ctx context.Context) error { return r.Reload(ctx, a.cfg, slices.Clone(changed)) })
		}()
		var err error
		select {
		case err = <-errc:
		case <-ctx.Done():
			err = fmt.Errorf("abandoned: %w", ctx.Err())
		}
		switch {
		case err == nil || ctx.Err() == nil:
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			err = fmt.Errorf("did not finish within [general] reload_timeout (%s): %w", timeout, err)
		default: // the reload's context ends at the application's stop
			err = fmt.Errorf("cut short by the application's stop: %w", err)
		}
		if err != nil {
			a.log.Error().Str("what", p.name).Err(err).Msg("Applying the new configuration failed; the rest of it stays applied")
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
		}
	}
	return errs
}

// reloadOnHangup runs Reload as a background task, so that a slow Reloader
// does not hold the signal handler. Once exit-time takes no more tasks
// (while it waits for them: a web container's stop_delay and drain), the
// SIGHUP is not a reload, and the WARNING says so as Reload would.
func (a *Application) reloadOnHangup() {
	err := a.Go("configuration reload", func(ctx context.Context) error {
		_, _ = a.Reload(ctx) // Reload logs its outcome
		return nil
	})
	if err != nil {
		a.log.Warning().Err(fmt.Errorf("%w: the application is %s, not running", ErrReloadRefused, a.Phase())).
			Msg("Configuration not reloaded")
	}
}

// changedSections compares two configurations section by section and
// returns, in the order of next (then the removed sections, in the order of
// old), the names of the sections whose keys or values differ: added and
// removed sections, added and removed keys, and values that read
// differently (after interpolation and [DEFAULT] inheritance). "DEFAULT"
// is listed first when [DEFAULT]'s own keys changed.
func changedSections(old, next *config.Config) []string {
	var out []string
	if !sameSection(old, next, "DEFAULT") {
		out = append(out, "DEFAULT")
	}
	inNext := map[string]bool{}
	for _, s := range next.Sections() {
		inNext[s] = true
		if !old.HasSection(s) || !sameSection(old, next, s) {
			out = append(out, s)
		}
	}
	for _, s := range old.Sections() {
		if !inNext[s] {
			out = append(out, s)
		}
	}
	return out
}

// sameSection reports whether section has the same keys with the same
// values in both configurations.
func sameSection(old, next *config.Config, section string) bool {
	ok, nk := old.Keys(section), next.Keys(section)
	if len(ok) != len(nk) {
		return false
	}
	for _, k := range ok {
		if !next.Has(section, k) {
			return false
		}
		ov, oerr := old.Get(section, k)
		nv, nerr := next.Get(section, k)
		if ov != nv || errText(oerr) != errText(nerr) {
			return false
		}
	}
	return true
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
