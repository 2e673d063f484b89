package nats_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/mom/nats"
)

// parse makes a configuration of "[section]" and "key = value" lines.
func parse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg := config.New()
	sec := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			sec = strings.Trim(line, "[]")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			cfg.Set(sec, strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return cfg
}

// TestFromConfigErrors: each bad value is named with its section and key,
// and no error quotes a password or token.
func TestFromConfigErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"storage = disk", `[asab:mom:nats] storage = "disk"`},
		{"retention = forever", `[asab:mom:nats] retention = "forever"`},
		{"max_ack_pending = 0", `[asab:mom:nats] max_ack_pending = "0"`},
		{"max_deliver = -2", `[asab:mom:nats] max_deliver = "-2"`},
		{"backoff = 1s, soon", `[asab:mom:nats] backoff: "soon"`},
		{"ack_wait = -1s", "[asab:mom:nats] ack_wait"},
		{"stream = A.B", `[asab:mom:nats] stream: "A.B"`},
		{"durable = a b", `[asab:mom:nats] durable: "a b"`},
		{"deduplicate = maybe", "deduplicate"},
		{"backoff = 1s,2s\nmax_deliver = 2", "[asab:mom:nats] max_deliver: 2"},
	} {
		cfg := parse(t, "[asab:mom:nats]\nurl = nats://u:hunter22@127.0.0.1:4222\n"+tc.text+"\n")
		_, err := nats.FromConfig(cfg, nats.Section)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want it to contain %q", tc.text, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%q: the error shows the password: %v", tc.text, err)
		}
	}
	cfg := parse(t, "[asab:mom:nats]\nurl = http://u:hunter22@127.0.0.1:4222\n")
	if _, err := nats.FromConfig(cfg, nats.Section); err == nil || strings.Contains(err.Error(), "hunter22") ||
		!strings.Contains(err.Error(), `scheme "http"`) {
		t.Errorf("http url: err = %v", err)
	}
}

// TestFromConfigKeys: a full section makes a broker; no url makes none.
func TestFromConfigKeys(t *testing.T) {
	cfg := parse(t, "[asab:mom:nats]\nurl = nats://127.0.0.1:4222\nstream = S\nsubjects = a.>, b.>\n"+
		"storage = memory\nretention = workqueue\nmax_age = 1h\ndurable = app\nack_wait = 10s\nmax_deliver = 5\n"+
		"max_ack_pending = 20\nbackoff = 1s, 5s\ndead_letter_exchange = a.dead\nrequest_timeout = 3s\ndeduplicate = yes\n")
	b, err := nats.FromConfig(cfg, nats.Section)
	if err != nil || b == nil {
		t.Fatalf("broker %v, err %v", b, err)
	}
	if b, err := nats.FromConfig(parse(t, "[asab:mom:nats]\nstream = S\n"), nats.Section); b != nil || err != nil {
		t.Fatalf("without a url: broker %v, err %v", b, err)
	}
	if _, err := nats.New(nats.Config{URL: "nats://127.0.0.1:4222", AckWait: time.Second}); err != nil {
		t.Fatal(err)
	}
}

// FuzzRedactURL: whatever the user, password and host, the redacted URL
// never contains the password.
func FuzzRedactURL(f *testing.F) {
	f.Add("app", "s3cret-token", "127.0.0.1:4222")
	f.Add("u", "p@ss:w/rd?#", "host")
	f.Fuzz(func(t *testing.T, user, pass, host string) {
		u := url.URL{Scheme: "nats", User: url.UserPassword(user, pass), Host: host}
		raw := u.String()
		got := nats.RedactURL(raw)
		if len(pass) >= 4 && strings.Contains(got, pass) && !strings.Contains(host, pass) {
			t.Fatalf("RedactURL(%q) = %q shows the password %q", raw, got, pass)
		}
		if enc := url.UserPassword(user, pass).String(); len(pass) >= 4 && strings.Contains(got, enc) {
			t.Fatalf("RedactURL(%q) = %q shows the user info", raw, got)
		}
	})
}
