package logging

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// RootLogger names the root threshold (the one [logging] level sets) in
// SetLevel, ResetLevel and Thresholds. A logger literally named "root"
// cannot be given a rule of its own at run time.
const RootLogger = "root"

// maxLoggerName and maxOverrides bound the logger name SetLevel accepts
// and the number of overrides, so that admin requests cannot grow the rules
// (which every logger's resolve walks) without limit.
const (
	maxLoggerName = 256
	maxOverrides  = 100
)

// overrides are the run-time thresholds set with SetLevel, laid over the
// configured ones. Every store of the pipeline's thresholds after start-up
// goes through mu, so an override and a reload never undo each other.
type overrides struct {
	mu         sync.Mutex
	configured *levelSet            // the configuration's thresholds; nil: still the ones newPipeline stored
	set        map[string]*override // by logger name, RootLogger for the root
	closed     bool                 // Close stopped the timers; no new ones
}

// override is one run-time threshold.
type override struct {
	level Level
	until time.Time   // zero: kept until ResetLevel or the end of the pipeline
	timer *time.Timer // reverts it at until
}

// Threshold is one threshold in force, as Thresholds lists them.
type Threshold struct {
	// Logger is the logger name the threshold is for, and for every
	// logger below it (name.child) without a longer rule; RootLogger for
	// the root threshold.
	Logger string
	// Level is the threshold in force.
	Level Level
	// Configured is what the configuration gives Logger ([logging] level
	// and levels): Level when there is no override, else the level that
	// comes back when it reverts.
	Configured Level
	// Override tells a run-time threshold set with SetLevel.
	Override bool
	// Until is when the override reverts; zero for none (or no override).
	Until time.Time
}

// Current returns the current pipeline: the application's, built by its
// Setup, while the application runs; the default pipeline before and
// after. The admin API (web's [web] admin_api) sets thresholds on it.
func Current() *Pipeline { return current.Load() }

// SetLevel sets the threshold of the logger name at run time, above what
// [logging] says: the rule for name (and, as any rule, for the loggers
// name.child below it that have no longer rule) or, for RootLogger, the
// root threshold. It takes effect at once for every logger. With
// revertAfter > 0 the override is removed after that time and the
// configured threshold is back (a NOTICE on asab.logging says so); with 0
// it stays until ResetLevel or the end of the pipeline. A second SetLevel
// for the same name replaces the first, its revert time too.
//
// A configuration reload (SIGHUP) keeps the overrides: the new [logging]
// thresholds apply under them, and come through where an override
// reverts.
func (p *Pipeline) SetLevel(name string, lv Level, revertAfter time.Duration) (Threshold, error) {
	if err := checkLoggerName(name); err != nil {
		return Threshold{}, err
	}
	if !lv.valid() {
		return Threshold{}, fmt.Errorf("logging: level %d is not one of DEBUG ... CRITICAL", lv)
	}
	if revertAfter < 0 {
		return Threshold{}, fmt.Errorf("logging: revert time %s is negative", revertAfter)
	}
	o := &p.ov
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return Threshold{}, fmt.Errorf("logging: set level of %q: the pipeline is closed", name)
	}
	o.init(p)
	prev := o.set[name]
	if prev == nil && len(o.set) >= maxOverrides {
		return Threshold{}, fmt.Errorf("logging: set level of %q: %d run-time levels are set already, the most there may be", name, maxOverrides)
	}
	if prev != nil && prev.timer != nil {
		prev.timer.Stop()
	}
	ov := &override{level: lv}
	if revertAfter > 0 {
		ov.until = time.Now().Add(revertAfter)
		ov.timer = time.AfterFunc(revertAfter, func() { p.revert(name, ov) })
	}
	o.set[name] = ov
	p.publishLevels(o.merged())
	return Threshold{Logger: name, Level: lv, Configured: o.configured.thresholdOf(name), Override: true, Until: ov.until}, nil
}

// ResetLevel removes the run-time threshold of name that SetLevel set, so
// the configured one is in force again; it reports whether there was one.
func (p *Pipeline) ResetLevel(name string) bool {
	o := &p.ov
	o.mu.Lock()
	defer o.mu.Unlock()
	ov := o.set[name]
	if ov == nil {
		return false
	}
	if ov.timer != nil {
		ov.timer.Stop()
	}
	delete(o.set, name)
	p.publishLevels(o.merged())
	return true
}

// Thresholds lists the thresholds in force: the root first, then every
// rule of [logging] levels and every override, sorted by logger name.
func (p *Pipeline) Thresholds() []Threshold {
	o := &p.ov
	o.mu.Lock()
	defer o.mu.Unlock()
	conf := o.configured
	if conf == nil {
		conf = p.levels.Load()
	}
	names := []string{}
	for _, r := range conf.rules {
		if !slices.Contains(names, r.name) {
			names = append(names, r.name)
		}
	}
	for name := range o.set {
		if name != RootLogger && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make([]Threshold, 0, len(names)+1)
	for _, name := range append([]string{RootLogger}, names...) {
		th := Threshold{Logger: name, Configured: conf.thresholdOf(name)}
		th.Level = th.Configured
		if ov := o.set[name]; ov != nil {
			th.Level, th.Override, th.Until = ov.level, true, ov.until
		}
		out = append(out, th)
	}
	return out
}

// checkLoggerName refuses a name that could not be a logger name in
// [logging] levels: empty, with white space or control characters, or
// longer than maxLoggerName bytes.
func checkLoggerName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("logging: logger name %q: empty (the root threshold is %q)", name, RootLogger)
	case len(name) > maxLoggerName:
		return fmt.Errorf("logging: logger name %q: longer than %d bytes", name[:32]+"...", maxLoggerName)
	case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("logging: logger name %q: white space or a control character in it", name)
	}
	return nil
}

// revert removes ov when its time has come, unless SetLevel or ResetLevel
// replaced it meanwhile.
func (p *Pipeline) revert(name string, ov *override) {
	o := &p.ov
	o.mu.Lock()
	if o.set[name] != ov {
		o.mu.Unlock()
		return
	}
	delete(o.set, name)
	p.publishLevels(o.merged())
	back := o.configured.thresholdOf(name)
	o.mu.Unlock()
	Get("asab.logging").Notice().Str("logger", name).Str("level", back.String()).Str("was", ov.level.String()).
		Msg("Run-time log level reverted to the configured one")
}

// applyConfigured stores the thresholds a reload read from the
// configuration, with the overrides laid over them.
func (p *Pipeline) applyConfigured(ls *levelSet) {
	o := &p.ov
	o.mu.Lock()
	defer o.mu.Unlock()
	o.configured = ls
	if len(o.set) == 0 {
		p.publishLevels(ls)
		return
	}
	p.publishLevels(o.merged())
}

// stopOverrides stops the revert timers; Close calls it.
func (p *Pipeline) stopOverrides() {
	o := &p.ov
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	for _, ov := range o.set {
		if ov.timer != nil {
			ov.timer.Stop()
		}
	}
}

// init takes the thresholds in force as the configured ones before the
// first override (none was laid over them yet).
func (o *overrides) init(p *Pipeline) {
	if o.configured == nil {
		o.configured = p.levels.Load()
	}
	if o.set == nil {
		o.set = map[string]*override{}
	}
}

// merged is the configured thresholds with the overrides in place of the
// configured rules (or root) of the same name.
func (o *overrides) merged() *levelSet {
	root := o.configured.root
	rules := make([]levelRule, 0, len(o.configured.rules)+len(o.set))
	for _, r := range o.configured.rules {
		if _, over := o.set[r.name]; !over {
			rules = append(rules, r)
		}
	}
	for name, ov := range o.set {
		if name == RootLogger {
			root = ov.level
			continue
		}
		rules = append(rules, levelRule{name: name, level: ov.level})
	}
	return newLevelSet(root, rules)
}

// thresholdOf is the level ls gives the logger name, as Pipeline.threshold
// resolves it; RootLogger gives the root.
func (ls *levelSet) thresholdOf(name string) Level {
	if name == RootLogger {
		return ls.root
	}
	return ls.resolve(name)
}

// publishLevels makes ls the pipeline's thresholds and has every logger
// resolve its threshold anew.
func (p *Pipeline) publishLevels(ls *levelSet) {
	p.levels.Store(ls)
	gen := generations.Add(1)
	p.gen.Store(gen)
	if current.Load() == p {
		currentGen.Store(gen)
	}
}
