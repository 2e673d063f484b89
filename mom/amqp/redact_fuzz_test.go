package amqp_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/asabgo/asab/mom/amqp"
)

// FuzzRedactURL: whatever the user, password, host and path, the redacted
// URL never contains the password, and a URL without credentials that
// parses comes back unchanged.
func FuzzRedactURL(f *testing.F) {
	f.Add("guest", "guest-secret", "127.0.0.1:5672", "/vhost")
	f.Add("u", "p@ss:w/rd?#", "host", "")
	f.Fuzz(func(t *testing.T, user, pass, host, path string) {
		u := url.URL{Scheme: "amqp", User: url.UserPassword(user, pass), Host: host, Path: path}
		raw := u.String()
		got := amqp.RedactURL(raw)
		if len(pass) >= 4 && strings.Contains(got, pass) && !strings.Contains(host+path, pass) {
			t.Fatalf("RedactURL(%q) = %q shows the password %q", raw, got, pass)
		}
		if enc := url.UserPassword(user, pass).String(); len(pass) >= 4 && strings.Contains(got, enc) {
			t.Fatalf("RedactURL(%q) = %q shows the user info", raw, got)
		}
		plain := url.URL{Scheme: "amqp", Host: host, Path: path}
		if p, err := url.Parse(plain.String()); err == nil && p.User == nil {
			if got := amqp.RedactURL(plain.String()); got != p.String() {
				t.Fatalf("RedactURL(%q) = %q, want it unchanged", plain.String(), got)
			}
		}
	})
}
