package logging

import (
	"context"
	"slices"
	"strings"

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

// ValidateConfig checks the thresholds of a configuration about to replace
// the running one (module.ConfigValidator): a bad level refuses the whole
// reload.
func (p *Pipeline) ValidateConfig(cfg *config.Config) error {
	_, err := p.levelsFrom(cfg)
	return err
}

// Reload applies a reloaded configuration (module.Reloader): the root
// threshold and the per-logger levels of [logging] change at once for
// every logger, under the run-time thresholds of SetLevel, which stay until
// they revert. The outputs stay as they were started; a change to one of
// their sections is named in a WARNING and takes effect at the next start.
func (p *Pipeline) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	if slices.Contains(changed, "logging") {
		ls, err := p.levelsFrom(cfg)
		if err != nil {
			return err
		}
		p.applyConfigured(ls) // under the run-time overrides, see SetLevel
	}
	var outputs []string
	for _, sec := range changed {
		if strings.HasPrefix(sec, "logging:") {
			outputs = append(outputs, sec)
		}
	}
	if len(outputs) > 0 {
		Get("asab.logging").Warning().Strs("sections", outputs).
			Msg("Log outputs are not changed at run time; the new settings take effect at the next start")
	}
	return nil
}
