package web

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
)

// Defaults are the default values of every key of a container's section
// ([web] and any section given to NewContainer). Each container's factory
// adds them for its own section, so a configuration file sets only what
// differs.
func Defaults() map[string]any {
	return map[string]any{
		"listen":              "0.0.0.0 8080",
		"shutdown_timeout":    "10s",
		"stop_delay":          "0",
		"read_header_timeout": "10s",
		"read_timeout":        "60s",
		"write_timeout":       "0",
		"idle_timeout":        "120s",
		"max_header_bytes":    1 << 20,
		"body_max_size":       1 << 20,
		"servertokens":        "prod",
		"access_log":          true,
		"trusted_proxies":     "",
		"health_path":         "/asab/v1/health",
		"cors":                "",
	}
}

// listenLine is a parsed listen line with its text and line number, for
// messages.
type listenLine struct {
	Listen
	text string
	n    int
}

// settings are a container's validated configuration.
type settings struct {
	section        string
	listen         []listenLine
	grace          time.Duration // shutdown_timeout
	stopDelay      time.Duration
	readHeader     time.Duration
	read           time.Duration
	write          time.Duration
	idle           time.Duration
	maxHeaderBytes int
	bodyMax        int64
	serverTokens   string
	accessLog      bool
	trusted        []*net.IPNet
	healthPath     string
	cors           []string
}

// readSettings reads and validates a container's section. Every error names
// the section, the key and the offending value.
func readSettings(cfg *config.Config, section string) (*settings, error) {
	s := &settings{section: section}
	text, err := cfg.Get(section, "listen")
	if err != nil {
		return nil, err
	}
	// config's GetMultiline splits on any white space; a listen line has
	// spaces in it, so the value is split on new lines (comments stripped,
	// address lines numbered from 1) by the shared listen-line parser.
	if s.listen, err = parseListenLines(text, "ssl:"+section); err != nil {
		return nil, fmt.Errorf("[%s] listen %w", section, err)
	}
	if len(s.listen) == 0 {
		return nil, fmt.Errorf("[%s] listen: no listen line", section)
	}
	durations := []struct {
		key string
		dst *time.Duration
	}{
		{"shutdown_timeout", &s.grace}, {"stop_delay", &s.stopDelay},
		{"read_header_timeout", &s.readHeader},
		{"read_timeout", &s.read}, {"write_timeout", &s.write}, {"idle_timeout", &s.idle},
	}
	for _, d := range durations {
		if *d.dst, err = cfg.GetDuration(section, d.key); err != nil {
			return nil, err
		}
	}
	if s.maxHeaderBytes, err = positiveInt(cfg, section, "max_header_bytes"); err != nil {
		return nil, err
	}
	bodyMax, err := positiveInt(cfg, section, "body_max_size")
	if err != nil {
		return nil, err
	}
	s.bodyMax = int64(bodyMax)
	if s.serverTokens, err = readServerTokens(cfg, section); err != nil {
		return nil, err
	}
	if s.accessLog, err = cfg.GetBool(section, "access_log"); err != nil {
		return nil, err
	}
	if s.trusted, err = readTrusted(cfg, section); err != nil {
		return nil, err
	}
	if s.healthPath, err = cfg.GetOr(section, "health_path", ""); err != nil {
		return nil, err
	}
	s.healthPath = strings.TrimSpace(s.healthPath)
	if s.healthPath != "" && !strings.HasPrefix(s.healthPath, "/") {
		return nil, fmt.Errorf("[%s] health_path = %q: must start with / (or be empty to turn the endpoint off)", section, s.healthPath)
	}
	cors, err := cfg.GetOr(section, "cors", "")
	if err != nil {
		return nil, err
	}
	for _, o := range strings.Fields(cors) {
		s.cors = append(s.cors, strings.TrimSuffix(o, "/"))
	}
	return s, nil
}

func positiveInt(cfg *config.Config, section, key string) (int, error) {
	n, err := cfg.GetInt(section, key)
	if err != nil {
		return 0, err
	}
	if n <= 0 {
		return 0, fmt.Errorf("[%s] %s = %d: must be a positive number of bytes", section, key, n)
	}
	return n, nil
}

func readServerTokens(cfg *config.Config, section string) (string, error) {
	v, err := cfg.GetOr(section, "servertokens", "")
	if err != nil {
		return "", err
	}
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "full", "prod", "none":
		return v, nil
	}
	return "", fmt.Errorf("[%s] servertokens = %q: expected full, prod or none", section, v)
}

// readTrusted parses trusted_proxies: IP addresses or CIDR ranges separated
// by spaces or new lines.
func readTrusted(cfg *config.Config, section string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	v, err := cfg.GetOr(section, "trusted_proxies", "")
	if err != nil {
		return nil, err
	}
	for _, f := range strings.Fields(v) {
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("[%s] trusted_proxies: %q is not an IP address or CIDR range", section, f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("[%s] trusted_proxies: %q is not an IP address or CIDR range", section, f)
		}
		out = append(out, n)
	}
	return out, nil
}
