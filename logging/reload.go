package logging

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/asabgo/asab/config"
)

// levelsFrom reads the thresholds of [logging] (level, verbose, levels);
// -v given at start-up keeps the root threshold at DEBUG.
func (p *Pipeline) levelsFrom(cfg *config.Config) (*levelSet, error) {
	var s settings
	if err := decode(cfg, "logging", &s); err != nil {
		return nil, err
	}
	if s.Verbose || p.verbose {
		s.Level = LevelDebug
	}
	rules, err := parseLevelRules(s.Levels)
	if err != nil {
		return nil, err
	}
	return newLevelSet(s.Level, rules), nil
}

// ValidateConfig checks a configuration about to replace the running one
// (module.ConfigValidator): a bad level or output setting refuses the
// whole reload, and so does an output it would add that cannot be opened
// (a log file in a directory that cannot be written: it is opened and
// closed again here).
func (p *Pipeline) ValidateConfig(cfg *config.Config) error {
	if _, err := p.levelsFrom(cfg); err != nil {
		return err
	}
	plans, _, err := p.plan(cfg)
	if err != nil {
		return err
	}
	for _, pl := range plans {
		if p.outputBySpec(pl.spec) != nil {
			continue
		}
		out, err := pl.open()
		if err != nil {
			return err
		}
		_ = out.sink.close() // no goroutine runs yet, nothing is queued
	}
	return nil
}

// outputBySpec returns the current output built from spec, or nil.
func (p *Pipeline) outputBySpec(spec string) *output {
	for _, o := range p.outputs() {
		if o.spec == spec {
			return o
		}
	}
	return nil
}

// Reload applies a reloaded configuration (module.Reloader). The root
// threshold and the per-logger levels of [logging] change at once for
// every logger, under the run-time thresholds of SetLevel, which stay until
// they revert. The outputs are planned anew: one whose settings stayed
// is kept as it is, one whose settings changed is replaced by a new one
// of the same kind, one no longer enabled is removed, a newly enabled one
// is added. The new set replaces the old one in one atomic step; a line
// that a writer still puts into a replaced output goes on to its
// replacement, and each replaced or removed output delivers what it holds
// queued (within [logging] flush_timeout) before it is closed, ahead of
// anything its replacement writes. So no line is lost or written twice.
func (p *Pipeline) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	if slices.Contains(changed, "logging") {
		ls, err := p.levelsFrom(cfg)
		if err != nil {
			return err
		}
		p.applyConfigured(ls) // under the run-time overrides, see SetLevel
	}
	if !slices.ContainsFunc(changed, func(s string) bool { return s == "logging" || strings.HasPrefix(s, "logging:") }) {
		return nil
	}
	lg := Get("asab.logging")
	for _, s := range sections { // as Setup does, for the sections that changed
		if !slices.Contains(changed, s.name) {
			continue
		}
		unknown, _ := config.Unknown(cfg, s.name, s.v)
		for _, u := range unknown {
			lg.Warning().Msg(u.String())
		}
	}
	plans, timeout, err := p.plan(cfg)
	if err != nil {
		return err
	}
	p.reloadMu.Lock()
	if p.closed {
		p.reloadMu.Unlock()
		return nil
	}
	old := p.outputs()
	var outs, added []*output
	for _, pl := range plans {
		o := p.outputBySpec(pl.spec)
		if o == nil {
			if o, err = pl.open(); err != nil {
				p.reloadMu.Unlock()
				for _, o := range added {
					_ = o.sink.close()
				}
				return err // the old outputs stay
			}
			added = append(added, o)
		}
		outs = append(outs, o)
	}
	// Each replaced or removed output is retired on its own, all at once;
	// a replacement does not deliver until the output it replaces has.
	type retiring struct{ old, next *output }
	var retire []retiring
	for _, o := range old {
		if slices.Contains(outs, o) {
			continue
		}
		r := retiring{old: o}
		for _, n := range added {
			if kind(n.name) == kind(o.name) {
				r.next = n
				n.sendMu.Lock()
			}
		}
		retire = append(retire, r)
	}
	p.setOutputs(outs)
	p.flushTimeout.Store(int64(timeout))
	p.reloadMu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	errs := make([]error, len(retire))
	var wg sync.WaitGroup
	for i, r := range retire {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.old.retire(ctx, r.next)
			if r.next == nil {
				return
			}
			if r.next.name == r.old.name { // one series in Stats: the count goes on
				d := r.old.dropped.Load()
				r.next.dropped.Add(d)
				r.next.reported += d // under sendMu; the old output reported its own
			}
			r.next.sendMu.Unlock()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// kind returns the kind of output an output's name says: "file" for
// "file:/var/log/app.log".
func kind(name string) string {
	k, _, _ := strings.Cut(name, ":")
	return k
}
