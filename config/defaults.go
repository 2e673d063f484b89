package config

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Defaults returns the default sections of an asab application, as ASAB names
// them. Each call returns a new map that the caller may change. Sections that
// a module owns ([web], [metrics], [mom:*], ...) are not here: the module
// declares its keys and defaults itself, once (see [Decode]). An empty value
// means "not set" (for [daemon]: fall back to [general]; for
// [logging:console] enabled: decide by whether stderr is a terminal).
func Defaults() map[string]map[string]any {
	return map[string]map[string]any{
		"general": {
			"tick_period":        1,
			"shutdown_timeout":   30,
			"watchdog_threshold": "",
			"var_dir":            "/var/lib/asab",
			"uid":                "",
			"gid":                "",
			"pidfile":            "!",
			"working_dir":        ".",
		},
		"daemon": {
			"pidfile":     "",
			"uid":         "",
			"gid":         "",
			"working_dir": "",
		},
		"logging": {
			"verbose":  false,
			"level":    "NOTICE",
			"levels":   "",
			"app_name": "",
			"sd_id":    "sd",
		},
		"logging:console": {
			"enabled": "",
			"format":  "default",
		},
		"logging:file": {
			"path":             "",
			"backup_count":     3,
			"backup_max_bytes": 0,
			"rotate_every":     "",
		},
		"logging:syslog": {
			"enabled": false,
			"address": "/dev/log",
			"format":  "3",
		},
	}
}

// AddDefaults fills keys that are still missing from d. Values are turned into
// strings (see [Stringify]) and environment-expanded, with ${THIS_DIR} being the
// current directory. Sections and keys are added in sorted order.
func (c *Config) AddDefaults(d map[string]map[string]any) {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	secs := make([]string, 0, len(d))
	for s := range d {
		secs = append(secs, s)
	}
	sort.Strings(secs)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaults = append(c.defaults, d)
	c.write(func(e *edit) {
		for _, s := range secs {
			e.section(s)
			keys := make([]string, 0, len(d[s]))
			for k := range d[s] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				e.set(s, lowerKey(k), newValue(expandEnv(Stringify(d[s][k]), dir), "", 0), true)
			}
		}
	})
}

// Stringify turns a default value into its configuration text: strings as they
// are, numbers in decimal, bools as "true"/"false", a time.Duration in seconds,
// a []string one item a line, nil as "", anything else with fmt.
func Stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Duration:
		return strconv.FormatFloat(x.Seconds(), 'f', -1, 64)
	case []string:
		return strings.Join(x, "\n")
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
