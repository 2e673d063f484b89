package metrics

import (
	"fmt"
	"strings"

	"github.com/asabgo/asab/config"
)

// Section is the configuration section of the metrics service.
const Section = "asab:metrics"

// Defaults are the default values of [asab:metrics]; Module adds them, so a
// configuration file sets only what differs.
func Defaults() map[string]any {
	return map[string]any{
		"path":             "/asab/v1/metrics",
		"json_path":        "/asab/v1/metrics.json",
		"go_runtime":       true,
		"log_every_minute": false,
	}
}

// settings are the validated [asab:metrics] values.
type settings struct {
	path, jsonPath string // "" turns the endpoint off
	goRuntime      bool
	logEveryMinute bool
}

func readSettings(cfg *config.Config) (settings, error) {
	var s settings
	var err error
	if s.path, err = readPath(cfg, "path"); err != nil {
		return s, err
	}
	if s.jsonPath, err = readPath(cfg, "json_path"); err != nil {
		return s, err
	}
	if s.path != "" && s.path == s.jsonPath {
		return s, fmt.Errorf("[%s] path and json_path are both %q", Section, s.path)
	}
	if s.goRuntime, err = cfg.GetBool(Section, "go_runtime"); err != nil {
		return s, err
	}
	if s.logEveryMinute, err = cfg.GetBool(Section, "log_every_minute"); err != nil {
		return s, err
	}
	return s, nil
}

// readPath reads an endpoint path: empty, or starting with "/".
func readPath(cfg *config.Config, key string) (string, error) {
	p, err := cfg.GetOr(Section, key, "")
	if err != nil {
		return "", err
	}
	p = strings.TrimSpace(p)
	if p != "" && !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("[%s] %s = %q: must start with / (or be empty to turn the endpoint off)", Section, key, p)
	}
	return p, nil
}
