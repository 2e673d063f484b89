package web

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// Section is the configuration section of the default container,
// asab.WebService; containers of NewContainer read a section of their own
// with the same keys.
const Section = "web"

// Settings are the keys of a container's section ([web] and any section
// given to NewContainer), decoded by [config.Decode]; their tags hold the
// section's only defaults. docs/web.md lists them.
type Settings struct {
	// Listen holds the listen lines, one per line (see [ParseListen]).
	Listen string `ini:"listen" default:"0.0.0.0 8080" doc:"listeners, one per line"`
	// ShutdownTimeout is the grace period for requests in flight at stop.
	ShutdownTimeout time.Duration `ini:"shutdown_timeout" default:"10s" min:"0" doc:"grace period for requests in flight at stop"`
	// StopDelay keeps serving this long after the stop, health answering 503.
	StopDelay time.Duration `ini:"stop_delay" default:"0" min:"0" doc:"keep serving this long after the stop"`
	// ReadHeaderTimeout is net/http's ReadHeaderTimeout; 0 is none.
	ReadHeaderTimeout time.Duration `ini:"read_header_timeout" default:"10s" min:"0" doc:"net/http's ReadHeaderTimeout"`
	// ReadTimeout is net/http's ReadTimeout; 0 is none.
	ReadTimeout time.Duration `ini:"read_timeout" default:"60s" min:"0" doc:"net/http's ReadTimeout"`
	// WriteTimeout is net/http's WriteTimeout; 0 is none.
	WriteTimeout time.Duration `ini:"write_timeout" default:"0" min:"0" doc:"net/http's WriteTimeout"`
	// IdleTimeout is net/http's IdleTimeout; 0 is none.
	IdleTimeout time.Duration `ini:"idle_timeout" default:"120s" min:"0" doc:"net/http's IdleTimeout"`
	// MaxHeaderBytes is the largest request header.
	MaxHeaderBytes int `ini:"max_header_bytes" unit:"bytes" default:"1048576" min:"1" doc:"largest request header"`
	// BodyMaxSize is the largest request body; beyond it the answer is 413.
	BodyMaxSize int64 `ini:"body_max_size" unit:"bytes" default:"1048576" min:"1" doc:"largest request body"`
	// ServerTokens chooses the Server header: full, prod or none.
	ServerTokens string `ini:"servertokens" default:"prod" oneof:"full prod none" doc:"Server header"`
	// AccessLog logs one NOTICE line per request on asab.web.al.
	AccessLog bool `ini:"access_log" default:"true" doc:"one NOTICE line per request"`
	// TrustedProxies are IPs or CIDR ranges whose X-Forwarded-For is
	// believed.
	TrustedProxies []string `ini:"trusted_proxies" doc:"IPs or CIDR ranges whose X-Forwarded-For is believed"`
	// HealthPath is the path of the health endpoint; "" turns it off.
	HealthPath string `ini:"health_path" default:"/asab/v1/health" doc:"path of the health endpoint"`
	// CORS are the allowed CORS origins, * for any; empty is no CORS.
	CORS []string `ini:"cors" doc:"allowed CORS origins"`
	// AdminAPI serves the admin endpoints (run-time log levels) on the
	// container; see admin.go.
	AdminAPI bool `ini:"admin_api" default:"false" doc:"serve the admin endpoints (run-time log levels)"`
}

// Defaults are the default values of every key of a container's section,
// as [Settings] declares them. Each container adds them for its own section,
// so that ${web:listen}-style references resolve.
func Defaults() map[string]any {
	d, err := config.DefaultsOf(Settings{})
	if err != nil {
		panic(err) // the tags of Settings are fixed; a test decodes them
	}
	return d
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
	adminAPI       bool
}

// readSettings decodes and validates a container's section (see
// parseSettings); a key the section does not know is logged as a WARNING
// (logger asab.web) naming its file:line and the known keys.
func readSettings(cfg *config.Config, section string) (*settings, error) {
	s, err := parseSettings(cfg, section)
	if err != nil {
		return nil, err
	}
	unknown, err := config.Unknown(cfg, section, &Settings{})
	if err != nil {
		return nil, err
	}
	for _, u := range unknown {
		logging.Get("asab.web").Warning().Msg(u.String())
	}
	return s, nil
}

// parseSettings decodes and validates a container's section. Every error
// names the section, the key and the offending value.
func parseSettings(cfg *config.Config, section string) (*settings, error) {
	var d Settings
	if err := config.Decode(cfg, section, &d); err != nil {
		return nil, err
	}
	var err error
	s := &settings{
		section: section, grace: d.ShutdownTimeout, stopDelay: d.StopDelay,
		readHeader: d.ReadHeaderTimeout, read: d.ReadTimeout, write: d.WriteTimeout, idle: d.IdleTimeout,
		maxHeaderBytes: d.MaxHeaderBytes, bodyMax: d.BodyMaxSize,
		serverTokens: d.ServerTokens, accessLog: d.AccessLog, adminAPI: d.AdminAPI,
	}
	// A listen line has spaces in it, so the value is split on new lines
	// (comments stripped, address lines numbered from 1) by the shared
	// listen-line parser.
	if s.listen, err = parseListenLines(d.Listen, "ssl:"+section); err != nil {
		return nil, fmt.Errorf("[%s] listen %w", section, err)
	}
	if len(s.listen) == 0 {
		return nil, fmt.Errorf("[%s] listen: no listen line", section)
	}
	if s.trusted, err = parseTrusted(d.TrustedProxies, section); err != nil {
		return nil, err
	}
	s.healthPath = strings.TrimSpace(d.HealthPath)
	if s.healthPath != "" && !strings.HasPrefix(s.healthPath, "/") {
		return nil, fmt.Errorf("[%s] health_path = %q: must start with / (or be empty to turn the endpoint off)", section, s.healthPath)
	}
	for _, o := range d.CORS {
		s.cors = append(s.cors, strings.TrimSuffix(o, "/"))
	}
	return s, nil
}

// parseTrusted parses trusted_proxies: IP addresses or CIDR ranges.
func parseTrusted(fields []string, section string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range fields {
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
