package tracing

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// conf returns a configuration with the module's defaults under text.
func conf(t *testing.T, text string) *config.Config {
	t.Helper()
	c := config.New()
	if err := c.LoadString("test.conf", text); err != nil {
		t.Fatal(err)
	}
	c.AddDefaults(map[string]map[string]any{Section: Defaults()})
	return c
}

// testLog is the logger readSettings warns on in these tests.
var testLog = logging.Get("asab.tracing")

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestSettingsDefaults(t *testing.T) {
	s, err := readSettings(conf(t, ""), env(nil), testLog)
	if err != nil {
		t.Fatal(err)
	}
	if s.exporter != ExporterNone || s.sampler != "parentbased_always_on" || s.queueSize != 2048 ||
		s.batchSize != 512 || s.batchTimeout != 5*time.Second || s.exportTimeout != 10*time.Second || s.setGlobal {
		t.Errorf("defaults: %+v", s)
	}
}

func TestSettingsPrecedence(t *testing.T) {
	vars := map[string]string{
		"OTEL_TRACES_EXPORTER":        "otlp",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_TRACES_SAMPLER":         "traceidratio",
		"OTEL_TRACES_SAMPLER_ARG":     "0.25",
	}
	s, err := readSettings(conf(t, ""), env(vars), testLog)
	if err != nil {
		t.Fatal(err)
	}
	if s.exporter != ExporterOTLPGRPC || s.sampler != "traceidratio" || s.ratio != 0.25 {
		t.Errorf("from the environment: exporter %q sampler %q ratio %v", s.exporter, s.sampler, s.ratio)
	}
	s, err = readSettings(conf(t, "[tracing]\nexporter=otlp-http\nsampler=parentbased_traceidratio\nsampler_ratio=0.5\n"+
		"endpoint=http://collector:4318/\n"), env(vars), testLog)
	if err != nil {
		t.Fatal(err)
	}
	if s.exporter != ExporterOTLPHTTP || s.sampler != "parentbased_traceidratio" || s.ratio != 0.5 || s.endpoint != "http://collector:4318" {
		t.Errorf("configuration over the environment: %+v", s)
	}
	if s, _ := readSettings(conf(t, ""), env(map[string]string{"OTEL_TRACES_EXPORTER": "console"}), testLog); s.exporter != ExporterStdout {
		t.Errorf("OTEL_TRACES_EXPORTER=console: exporter %q", s.exporter)
	}
}

// Good values of the exporter variables the module checks pass.
func TestSettingsGoodOTLPVariables(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := readSettings(conf(t, "[tracing]\nexporter=otlp-http\n"), env(map[string]string{"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": notPEM}), testLog)
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE = \""+notPEM+"\": no PEM certificate in the file") {
		t.Errorf("a file without a certificate: error %v", err)
	}
	vars := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector:4318", "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "none",
		"OTEL_EXPORTER_OTLP_INSECURE": "TRUE", "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "false",
		"OTEL_EXPORTER_OTLP_HEADERS": "api-key=a%20b, x-tenant = 7,", "OTEL_EXPORTER_OTLP_CERTIFICATE": ca,
	}
	if _, err := readSettings(conf(t, "[tracing]\nexporter=otlp-http\n"), env(vars), testLog); err != nil {
		t.Error(err)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, c := range []struct {
		conf string
		env  map[string]string
		want string
	}{
		{"[tracing]\nexporter=jaeger\n", nil, `[tracing] exporter = "jaeger": unknown exporter`},
		{"", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, `OTEL_TRACES_EXPORTER = "zipkin"`},
		{"", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, `OTEL_EXPORTER_OTLP_PROTOCOL = "http/json"`},
		{"[tracing]\nexporter=otlp-http\nendpoint=collector:4318\n", nil, `[tracing] endpoint = "collector:4318"`},
		{"[tracing]\nsampler=sometimes\n", nil, `[tracing] sampler = "sometimes": unknown sampler`},
		{"", map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}, `environment OTEL_TRACES_SAMPLER_ARG = "2"`},
		{"[tracing]\nsampler=traceidratio\nsampler_ratio=half\n", nil, `[tracing] sampler_ratio = "half"`},
		{"[tracing]\nsampler_ratio=1.5\n", nil, `[tracing] sampler_ratio = "1.5": want a number from 0 to 1`},
		{"[tracing]\nsampler_ratio=NaN\n", nil, `[tracing] sampler_ratio = "NaN": want a number from 0 to 1`},
		{"", map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "nan"}, `environment OTEL_TRACES_SAMPLER_ARG = "nan"`},
		{"[tracing]\nresource_attributes=team=billing, oops\n", nil, `[tracing] resource_attributes: "oops" is not key=value`},
		{"[tracing]\nqueue_size=0\n", nil, `test.conf:2: [tracing] queue_size = "0"`},
		{"[tracing]\nqueue_size=10\nbatch_size=20\n", nil, `batch_size = 20 is larger than queue_size = 10`},
		{"[tracing]\nexport_timeout=0\n", nil, `test.conf:2: [tracing] export_timeout = "0"`},
		{"[tracing]\nbatch_timeout=soon\n", nil, `test.conf:2: [tracing] batch_timeout = "soon"`},
		{"[tracing]\nset_global=perhaps\n", nil, `[tracing] set_global = "perhaps"`},
		// The variable named is the one that holds the value, and the value is quoted as given.
		{"", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"},
			`environment OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = "http/json"`},
		{"[tracing]\nsampler=Sometimes\n", nil, `[tracing] sampler = "Sometimes": unknown sampler`},
		{"", map[string]string{"OTEL_TRACES_SAMPLER": "Jaeger_Remote"}, `environment OTEL_TRACES_SAMPLER = "Jaeger_Remote"`},
		// The exporters ignore a bad endpoint or timeout variable (and would
		// send to https://localhost:4318), so the module checks them.
		{"[tracing]\nexporter=otlp-http\n", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
			`environment OTEL_EXPORTER_OTLP_ENDPOINT = "collector:4318"`},
		{"[tracing]\nexporter=otlp-grpc\n", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "::bad"},
			`environment OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "::bad"`},
		{"", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TIMEOUT": "10s"},
			`environment OTEL_EXPORTER_OTLP_TIMEOUT = "10s": want milliseconds`},
		{"[tracing]\nexporter=otlp-http\n", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "-5"},
			`environment OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = "-5": want milliseconds`},
		{"[tracing]\nexporter=otlp-http\n", map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"},
			`environment OTEL_EXPORTER_OTLP_COMPRESSION = "zstd": want gzip or none`},
		{"[tracing]\nexporter=otlp-grpc\n", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_INSECURE": "maybe"},
			`environment OTEL_EXPORTER_OTLP_TRACES_INSECURE = "maybe": want true or false`},
		{"[tracing]\nexporter=otlp-http\n", map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "api-key=1,secret-token"},
			`environment OTEL_EXPORTER_OTLP_HEADERS: item 2 is not key=value (not shown: it may hold a secret)`},
		{"[tracing]\nexporter=otlp-http\n", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "api-key=%zz"},
			`environment OTEL_EXPORTER_OTLP_TRACES_HEADERS: item 1 is not key=value`},
		{"[tracing]\nexporter=otlp-http\n", map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent/ca.pem"},
			`environment OTEL_EXPORTER_OTLP_CERTIFICATE = "/nonexistent/ca.pem": open /nonexistent/ca.pem: no such file or directory`},
	} {
		_, err := readSettings(conf(t, c.conf), env(c.env), testLog)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %v: error %v, want one containing %q", c.conf, c.env, err, c.want)
		}
	}
}

// docs/tracing.md's key table lists every key of Settings with its default.
func TestSettingsKeyTable(t *testing.T) {
	asabtest.CheckKeyTable(t, "../docs/tracing.md", "## Configuration", Settings{})
}

// A key [tracing] does not know is a WARNING naming its file:line and the
// known keys; start-up goes on.
func TestSettingsUnknownKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	r := asabtest.New(t, asabtest.JSONLogConfig(path)).Start()
	if _, err := readSettings(conf(t, "[tracing]\nexporter=none\nsampler_ration=0.5\n"), env(nil), testLog); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	lines := asabtest.ReadLog(t, path, "asab.tracing")
	if len(lines) != 1 || lines[0].Level != "WARNING" ||
		!strings.Contains(lines[0].Message, `test.conf:3: [tracing] unknown key "sampler_ration" (known keys: exporter, endpoint,`) {
		t.Errorf("want one WARNING naming test.conf:3 and the known keys, got %+v", lines)
	}
}

func TestParseAttributes(t *testing.T) {
	got, err := parseAttributes("deployment.environment = prod, team=billing\nregion=eu-west-1,,\n empty=")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"deployment.environment", "prod"}, {"team", "billing"}, {"region", "eu-west-1"}, {"empty", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d: %q, want %q", i, got[i], want[i])
		}
	}
	if _, err := parseAttributes("=x"); err == nil {
		t.Error("an empty key was accepted")
	}
}

func FuzzParseAttributes(f *testing.F) {
	f.Add("a=b, c=d\ne=f")
	f.Add("=x,,y")
	f.Fuzz(func(t *testing.T, text string) {
		kvs, err := parseAttributes(text)
		if err != nil {
			return
		}
		for _, kv := range kvs {
			if kv[0] == "" || strings.ContainsAny(kv[0], ",\n") || strings.ContainsAny(kv[1], ",\n") {
				t.Fatalf("%q: bad item %q", text, kv)
			}
		}
	})
}
