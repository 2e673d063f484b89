package metrics

import (
	"fmt"
	"strings"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// Section is the configuration section of the metrics service.
const Section = "asab:metrics"

// Settings are the keys of [asab:metrics], decoded by [config.Decode]; their
// tags hold the section's only defaults.
type Settings struct {
	// Path is the Prometheus/OpenMetrics endpoint; "" turns it off.
	Path string `ini:"path" default:"/asab/v1/metrics" doc:"Prometheus/OpenMetrics endpoint; empty = none"`
	// JSONPath is the JSON view; "" turns it off.
	JSONPath string `ini:"json_path" default:"/asab/v1/metrics.json" doc:"JSON view; empty = none"`
	// GoRuntime registers the go_* and process_* collectors.
	GoRuntime bool `ini:"go_runtime" default:"yes" doc:"the go_* and process_* collectors"`
	// LogEveryMinute logs a summary on Application.tick/60!.
	LogEveryMinute bool `ini:"log_every_minute" default:"no" doc:"log a summary on Application.tick/60!"`
}

// Defaults are the default values of [asab:metrics], as [Settings] declares
// them; Module adds them to the configuration, so that ${asab:metrics:path}
// references resolve.
func Defaults() map[string]any {
	d, err := config.DefaultsOf(Settings{})
	if err != nil {
		panic(err) // the tags of Settings are fixed; a test decodes them
	}
	return d
}

// readSettings decodes [asab:metrics] and checks the paths. A key the
// section does not know is logged as a WARNING naming its file:line.
func readSettings(cfg *config.Config, log *logging.Logger) (Settings, error) {
	s, err := parseSettings(cfg)
	if err != nil {
		return s, err
	}
	unknown, err := config.Unknown(cfg, Section, &s)
	if err != nil {
		return s, err
	}
	for _, u := range unknown {
		log.Warning().Msg(u.String())
	}
	return s, nil
}

// parseSettings decodes [asab:metrics] and checks the paths; an error
// names section, key and value.
func parseSettings(cfg *config.Config) (Settings, error) {
	var s Settings
	if err := config.Decode(cfg, Section, &s); err != nil {
		return s, err
	}
	for _, p := range []struct {
		key string
		val *string
	}{{"path", &s.Path}, {"json_path", &s.JSONPath}} {
		*p.val = strings.TrimSpace(*p.val)
		if *p.val != "" && !strings.HasPrefix(*p.val, "/") {
			return s, fmt.Errorf("[%s] %s = %q: must start with / (or be empty to turn the endpoint off)", Section, p.key, *p.val)
		}
	}
	if s.Path != "" && s.Path == s.JSONPath {
		return s, fmt.Errorf("[%s] path and json_path are both %q", Section, s.Path)
	}
	return s, nil
}
