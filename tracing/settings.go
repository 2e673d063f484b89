package tracing

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
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

// Settings are the keys of [tracing], decoded by [config.Decode]; their
// tags hold the section's only defaults. The keys that have an OTEL_*
// variable are empty by default, which means "the variable's value, or
// the built-in default when it is unset too". docs/tracing.md lists them.
type Settings struct {
	// Exporter is otlp-http, otlp-grpc, stdout or none.
	Exporter string `ini:"exporter" default:"" doc:"otlp-http, otlp-grpc, stdout or none"`
	// Endpoint is the URL of the collector.
	Endpoint string `ini:"endpoint" default:"" doc:"URL of the collector"`
	// Sampler is an OTEL_TRACES_SAMPLER name.
	Sampler string `ini:"sampler" default:"" doc:"an OTEL_TRACES_SAMPLER name"`
	// SamplerRatio is the share of new traces the ratio samplers sample.
	SamplerRatio string `ini:"sampler_ratio" default:"" doc:"share of new traces sampled, 0 to 1"`
	// ServiceName is service.name of the resource.
	ServiceName string `ini:"service_name" default:"" doc:"service.name of the resource"`
	// ResourceAttributes are more resource attributes, key=value items.
	ResourceAttributes string `ini:"resource_attributes" default:"" doc:"more resource attributes, key=value items"`
	// QueueSize is how many spans wait for export at most.
	QueueSize int `ini:"queue_size" default:"2048" min:"1" doc:"spans waiting for export at most"`
	// BatchSize is how many spans one export request carries at most.
	BatchSize int `ini:"batch_size" default:"512" min:"1" doc:"spans per export request at most"`
	// BatchTimeout is the longest wait before what is queued is exported.
	BatchTimeout time.Duration `ini:"batch_timeout" default:"5s" min:"1ms" doc:"longest wait before an export"`
	// ExportTimeout is the longest one export request may take.
	ExportTimeout time.Duration `ini:"export_timeout" default:"10s" min:"1ms" doc:"longest one export may take"`
	// SetGlobal also makes the provider and propagator otel's global ones.
	SetGlobal bool `ini:"set_global" default:"no" doc:"also set otel's global provider and propagator"`
}

// Defaults are the default values of [tracing], as [Settings] declares
// them; Module adds them.
func Defaults() map[string]any {
	d, err := config.DefaultsOf(Settings{})
	if err != nil {
		panic(err) // the tags of Settings are fixed; a test decodes them
	}
	return d
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

// readSettings decodes and checks [tracing]; getenv looks up an OTEL_*
// variable (os.Getenv in an application). A key the section does not know
// is logged as a WARNING on log naming its file:line and the known keys.
func readSettings(cfg *config.Config, getenv func(string) string, log *logging.Logger) (settings, error) {
	var d Settings
	if err := config.Decode(cfg, Section, &d); err != nil {
		return settings{}, err
	}
	unknown, err := config.Unknown(cfg, Section, &d)
	if err != nil {
		return settings{}, err
	}
	for _, u := range unknown {
		log.Warning().Msg(u.String())
	}
	s := settings{
		serviceName: strings.TrimSpace(d.ServiceName), queueSize: d.QueueSize, batchSize: d.BatchSize,
		batchTimeout: d.BatchTimeout, exportTimeout: d.ExportTimeout, setGlobal: d.SetGlobal,
	}
	exporter, endpoint := strings.TrimSpace(d.Exporter), strings.TrimSpace(d.Endpoint)
	sampler, ratio := strings.TrimSpace(d.Sampler), strings.TrimSpace(d.SamplerRatio)
	if s.exporter, err = readExporter(exporter, getenv); err != nil {
		return s, err
	}
	s.endpoint = endpoint
	if s.endpoint != "" && s.exporter != ExporterNone && s.exporter != ExporterStdout {
		if s.endpoint, err = config.ParseURL(s.endpoint, "http", "https"); err != nil {
			return s, fmt.Errorf("[%s] endpoint = %q: %w", Section, endpoint, err)
		}
	}

	if s.exporter == ExporterOTLPHTTP || s.exporter == ExporterOTLPGRPC {
		if err := checkOTLPEnv(getenv, s.endpoint == ""); err != nil {
			return s, err
		}
	}

	given := pick(sampler, getenv, "OTEL_TRACES_SAMPLER", "parentbased_always_on")
	s.sampler = strings.ToLower(given)
	if !slices.Contains(samplers, s.sampler) {
		return s, fmt.Errorf("%s = %q: unknown sampler (want one of %s)", origin("sampler", sampler, "OTEL_TRACES_SAMPLER"),
			given, strings.Join(samplers, ", "))
	}
	// A configured ratio is checked with any sampler (a typo should not
	// wait for the sampler to change); the variable only with a ratio
	// sampler, as other SDKs' samplers read it in other ways.
	if r := pick(ratio, getenv, "OTEL_TRACES_SAMPLER_ARG", "1.0"); ratio != "" || strings.HasSuffix(s.sampler, "traceidratio") {
		f, err := strconv.ParseFloat(r, 64)
		if err != nil || !(f >= 0 && f <= 1) { // NaN too
			return s, fmt.Errorf("%s = %q: want a number from 0 to 1", origin("sampler_ratio", ratio, "OTEL_TRACES_SAMPLER_ARG"), r)
		}
		s.ratio = f
	}

	if s.resAttrs, err = parseAttributes(d.ResourceAttributes); err != nil {
		return s, fmt.Errorf("[%s] resource_attributes: %w", Section, err)
	}
	if s.batchSize > s.queueSize {
		return s, fmt.Errorf("[%s] batch_size = %d is larger than queue_size = %d", Section, s.batchSize, s.queueSize)
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
		name := "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
		proto := strings.TrimSpace(getenv(name))
		if proto == "" {
			name = "OTEL_EXPORTER_OTLP_PROTOCOL"
			proto = strings.TrimSpace(getenv(name))
		}
		switch proto {
		case "", "http/protobuf":
			return ExporterOTLPHTTP, nil
		case "grpc":
			return ExporterOTLPGRPC, nil
		}
		return "", fmt.Errorf("environment %s = %q: want http/protobuf or grpc", name, proto)
	}
	return "", fmt.Errorf("environment OTEL_TRACES_EXPORTER = %q: want otlp, console or none (or set [%s] exporter)", env, Section)
}

// checkOTLPEnv checks the OTEL_EXPORTER_OTLP_* variables that the OTLP
// exporters read themselves but, given a bad value, ignore (some with a
// line on standard error; a bad endpoint would send the spans to the
// default https://localhost:4318): the endpoints (when endpoint is empty,
// else the key wins over them), and in both forms (OTEL_EXPORTER_OTLP_X
// and OTEL_EXPORTER_OTLP_TRACES_X) the timeout, compression, insecure,
// headers and CA certificate.
func checkOTLPEnv(getenv func(string) string, endpoints bool) error {
	if endpoints {
		for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
			if v := strings.TrimSpace(getenv(name)); v != "" {
				if _, err := config.ParseURL(v, "http", "https"); err != nil {
					return fmt.Errorf("environment %s = %q: %w", name, v, err)
				}
			}
		}
	}
	for _, form := range []string{"TRACES_", ""} {
		pre := "OTEL_EXPORTER_OTLP_" + form
		if v := strings.TrimSpace(getenv(pre + "TIMEOUT")); v != "" {
			if ms, err := strconv.Atoi(v); err != nil || ms < 0 {
				return fmt.Errorf("environment %sTIMEOUT = %q: want milliseconds, a whole number of at least 0", pre, v)
			}
		}
		// The exporters take exactly "gzip" (anything else is none) and
		// "true" in any case (anything else is false).
		if v := strings.TrimSpace(getenv(pre + "COMPRESSION")); v != "" && v != "gzip" && v != "none" {
			return fmt.Errorf("environment %sCOMPRESSION = %q: want gzip or none", pre, v)
		}
		if v := strings.TrimSpace(getenv(pre + "INSECURE")); v != "" && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Errorf("environment %sINSECURE = %q: want true or false", pre, v)
		}
		if err := checkHeaders(pre+"HEADERS", getenv(pre+"HEADERS")); err != nil {
			return err
		}
		if v := strings.TrimSpace(getenv(pre + "CERTIFICATE")); v != "" {
			pem, err := os.ReadFile(v)
			if err != nil {
				return fmt.Errorf("environment %sCERTIFICATE = %q: %w", pre, v, err)
			}
			if !x509.NewCertPool().AppendCertsFromPEM(pem) {
				return fmt.Errorf("environment %sCERTIFICATE = %q: no PEM certificate in the file", pre, v)
			}
		}
	}
	return nil
}

// checkHeaders checks an OTEL_EXPORTER_OTLP_HEADERS value as the exporters
// parse it: key=value items separated by commas, keys HTTP tokens, values
// percent-encoded. The error names the item by its number and does not
// show it, as headers carry API keys.
func checkHeaders(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	for i, item := range strings.Split(v, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, val, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		_, err := url.PathUnescape(val)
		if !ok || k == "" || strings.IndexFunc(k, notTokenChar) >= 0 || err != nil {
			return fmt.Errorf("environment %s: item %d is not key=value (not shown: it may hold a secret), "+
				"want key=value items separated by commas, values percent-encoded", name, i+1)
		}
	}
	return nil
}

// notTokenChar reports whether r may not be in an HTTP header name.
func notTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
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
