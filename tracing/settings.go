package tracing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
)

// Section is the configuration section of the tracing module.
const Section = "tracing"

// The exporters that [tracing] exporter names.
const (
	ExporterNone     = "none"      // nothing is recorded
	ExporterOTLPHTTP = "otlp-http" // OTLP over HTTP, protobuf
	ExporterOTLPGRPC = "otlp-grpc" // OTLP over gRPC
	ExporterStdout   = "stdout"    // one JSON document per span on stdout
)

// Defaults are the default values of [tracing]; Module adds them. The keys
// that have an OTEL_* environment variable default to "", which means
// "the variable's value, or the built-in default when it is unset too".
func Defaults() map[string]any {
	return map[string]any{
		"exporter":            "",
		"endpoint":            "",
		"sampler":             "",
		"sampler_ratio":       "",
		"service_name":        "",
		"resource_attributes": "",
		"queue_size":          2048,
		"batch_size":          512,
		"batch_timeout":       "5s",
		"export_timeout":      "10s",
		"set_global":          false,
	}
}

// settings are the validated [tracing] values, with the OTEL_* variables
// applied where a key was empty.
type settings struct {
	exporter      string  // one of the Exporter constants
	endpoint      string  // "" lets the exporter use its variables or default
	sampler       string  // an OTEL_TRACES_SAMPLER name
	ratio         float64 // for the traceidratio samplers
	serviceName   string  // "" leaves it to OTEL_SERVICE_NAME or the app name
	resAttrs      [][2]string
	queueSize     int
	batchSize     int
	batchTimeout  time.Duration
	exportTimeout time.Duration
	setGlobal     bool
}

// The sampler names, as OTEL_TRACES_SAMPLER spells them.
var samplers = []string{
	"always_on", "always_off", "traceidratio",
	"parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
}

// readSettings reads [tracing]; getenv looks up an OTEL_* variable (os.Getenv
// in an application).
func readSettings(cfg *config.Config, getenv func(string) string) (settings, error) {
	s := settings{}
	text := map[string]string{}
	for _, key := range []string{"exporter", "endpoint", "sampler", "sampler_ratio", "service_name", "resource_attributes"} {
		v, err := cfg.GetOr(Section, key, "")
		if err != nil {
			return s, err
		}
		text[key] = strings.TrimSpace(v)
	}
	str := func(key string) string { return text[key] }

	var err error
	if s.exporter, err = readExporter(str("exporter"), getenv); err != nil {
		return s, err
	}
	s.endpoint = str("endpoint")
	if s.endpoint != "" && s.exporter != ExporterNone && s.exporter != ExporterStdout {
		if s.endpoint, err = config.ParseURL(s.endpoint, "http", "https"); err != nil {
			return s, fmt.Errorf("[%s] endpoint = %q: %w", Section, str("endpoint"), err)
		}
	}

	s.sampler = strings.ToLower(pick(str("sampler"), getenv, "OTEL_TRACES_SAMPLER", "parentbased_always_on"))
	if !slices.Contains(samplers, s.sampler) {
		return s, fmt.Errorf("%s = %q: unknown sampler (want one of %s)", origin("sampler", str("sampler"), "OTEL_TRACES_SAMPLER"),
			s.sampler, strings.Join(samplers, ", "))
	}
	ratio := pick(str("sampler_ratio"), getenv, "OTEL_TRACES_SAMPLER_ARG", "1.0")
	// A configured ratio is checked with any sampler (a typo should not
	// wait for the sampler to change); the variable only with a ratio
	// sampler, as other SDKs' samplers read it in other ways.
	if str("sampler_ratio") != "" || strings.HasSuffix(s.sampler, "traceidratio") {
		f, err := strconv.ParseFloat(ratio, 64)
		if err != nil || f < 0 || f > 1 {
			return s, fmt.Errorf("%s = %q: want a number from 0 to 1", origin("sampler_ratio", str("sampler_ratio"), "OTEL_TRACES_SAMPLER_ARG"), ratio)
		}
		s.ratio = f
	}

	s.serviceName = str("service_name")
	if s.resAttrs, err = parseAttributes(str("resource_attributes")); err != nil {
		return s, fmt.Errorf("[%s] resource_attributes: %w", Section, err)
	}

	if s.queueSize, err = positiveInt(cfg, "queue_size"); err != nil {
		return s, err
	}
	if s.batchSize, err = positiveInt(cfg, "batch_size"); err != nil {
		return s, err
	}
	if s.batchSize > s.queueSize {
		return s, fmt.Errorf("[%s] batch_size = %d is larger than queue_size = %d", Section, s.batchSize, s.queueSize)
	}
	if s.batchTimeout, err = positiveDuration(cfg, "batch_timeout"); err != nil {
		return s, err
	}
	if s.exportTimeout, err = positiveDuration(cfg, "export_timeout"); err != nil {
		return s, err
	}
	if s.setGlobal, err = cfg.GetBoolOr(Section, "set_global", false); err != nil {
		return s, err
	}
	return s, nil
}

// readExporter resolves the exporter: the key, else OTEL_TRACES_EXPORTER
// (otlp with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL
// choosing HTTP or gRPC, console, none), else none.
func readExporter(v string, getenv func(string) string) (string, error) {
	if v != "" {
		switch e := strings.ToLower(v); e {
		case ExporterNone, ExporterOTLPHTTP, ExporterOTLPGRPC, ExporterStdout:
			return e, nil
		}
		return "", fmt.Errorf("[%s] exporter = %q: unknown exporter (want otlp-http, otlp-grpc, stdout or none)", Section, v)
	}
	env := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))
	switch strings.ToLower(env) {
	case "", "none":
		return ExporterNone, nil
	case "console":
		return ExporterStdout, nil
	case "otlp":
		proto := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"))
		if proto == "" {
			proto = strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_PROTOCOL"))
		}
		switch proto {
		case "", "http/protobuf":
			return ExporterOTLPHTTP, nil
		case "grpc":
			return ExporterOTLPGRPC, nil
		}
		return "", fmt.Errorf("environment OTEL_EXPORTER_OTLP_PROTOCOL = %q: want http/protobuf or grpc", proto)
	}
	return "", fmt.Errorf("environment OTEL_TRACES_EXPORTER = %q: want otlp, console or none (or set [%s] exporter)", env, Section)
}

// pick returns the configured value v, else the variable's, else def.
func pick(v string, getenv func(string) string, env, def string) string {
	if v != "" {
		return v
	}
	if e := strings.TrimSpace(getenv(env)); e != "" {
		return e
	}
	return def
}

// origin names where a value came from, for an error message.
func origin(key, configured, env string) string {
	if configured != "" {
		return fmt.Sprintf("[%s] %s", Section, key)
	}
	return "environment " + env
}

// parseAttributes parses resource attributes: key=value items separated by
// commas or newlines, as OTEL_RESOURCE_ATTRIBUTES writes them (without its
// percent-encoding). Space around keys and values is dropped.
func parseAttributes(text string) ([][2]string, error) {
	var out [][2]string
	for _, line := range strings.Split(text, "\n") {
		for _, item := range strings.Split(line, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			k, v, ok := strings.Cut(item, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" {
				return nil, fmt.Errorf("%q is not key=value", item)
			}
			out = append(out, [2]string{k, v})
		}
	}
	return out, nil
}

func positiveInt(cfg *config.Config, key string) (int, error) {
	n, err := cfg.GetInt(Section, key)
	if err != nil {
		return 0, err
	}
	if n <= 0 {
		return 0, fmt.Errorf("[%s] %s = %d: must be at least 1", Section, key, n)
	}
	return n, nil
}

func positiveDuration(cfg *config.Config, key string) (time.Duration, error) {
	d, err := cfg.GetDuration(Section, key)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		v, _ := cfg.Get(Section, key)
		return 0, fmt.Errorf("[%s] %s = %q: must be longer than zero", Section, key, v)
	}
	return d, nil
}
