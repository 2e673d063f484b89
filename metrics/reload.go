package metrics

import (
	"context"
	"slices"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/module"
)

// Live reconfiguration of [asab:metrics]: log_every_minute changes at run
// time; the other keys are static (the endpoints are routes added at
// init-time, the Go runtime collectors are registered once), so a reload
// that changes them gets the application's WARNING naming section, key,
// old and new value, and the old value stays.

var (
	_ module.ConfigValidator = (*Service)(nil)
	_ module.Reloader        = (*Service)(nil)
)

// staticKeys are the keys of [asab:metrics] that cannot change at run time.
var staticKeys = []string{"path", "json_path", "go_runtime"}

// ValidateConfig checks [asab:metrics] of a configuration about to replace
// the running one; a bad value, named with section, key and value, refuses
// the whole reload.
func (s *Service) ValidateConfig(cfg *config.Config) error {
	_, err := parseSettings(cfg)
	return err
}

// Reload applies log_every_minute: the summary is logged, or no longer,
// from the next Application.tick/60! on. A NOTICE on asab.metrics says so.
func (s *Service) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	if !slices.Contains(changed, Section) {
		return nil
	}
	set, err := readSettings(cfg, s.log)
	if err != nil {
		return err
	}
	if s.logMinute.Swap(set.LogEveryMinute) != set.LogEveryMinute {
		s.log.Notice().Bool("log_every_minute", set.LogEveryMinute).Msg("Metrics settings applied at run time")
	}
	return nil
}
