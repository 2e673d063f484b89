package amqp_test

import (
	"net/url"
	"testing"

	"github.com/asabgo/asab/mom/amqp"
)

// FuzzRedactURL: whatever the user, password, host and path, the redacted
// URL parses back without any user information and with the same host and
// path, and a URL without credentials comes back unchanged.
//
// The property compares parsed URLs, not strings: a password may well
// appear in the output as part of an (escaped) path or host, as "00000"
// does in amqp://0:00000@0/%200000, and that is not a leak.
func FuzzRedactURL(f *testing.F) {
	f.Add("guest", "guest-secret", "127.0.0.1:5672", "/vhost")
	f.Add("u", "p@ss:w/rd?#", "host", "")
	f.Fuzz(func(t *testing.T, user, pass, host, path string) {
		u := url.URL{Scheme: "amqp", User: url.UserPassword(user, pass), Host: host, Path: path}
		raw := u.String()
		in, err := url.Parse(raw)
		got := amqp.RedactURL(raw)
		if err != nil {
			if got != "<unparsable url>" {
				t.Fatalf("RedactURL(%q) = %q, want the placeholder for a URL that does not parse", raw, got)
			}
			return
		}
		out, err := url.Parse(got)
		if err != nil {
			t.Fatalf("RedactURL(%q) = %q, which does not parse: %v", raw, got, err)
		}
		if out.User != nil {
			t.Fatalf("RedactURL(%q) = %q keeps the user info %q", raw, got, out.User.String())
		}
		if out.Host != in.Host || out.Path != in.Path {
			t.Fatalf("RedactURL(%q) = %q: host %q path %q, want host %q path %q", raw, got, out.Host, out.Path, in.Host, in.Path)
		}
		plain := url.URL{Scheme: "amqp", Host: host, Path: path}
		if p, err := url.Parse(plain.String()); err == nil && p.User == nil {
			if got := amqp.RedactURL(plain.String()); got != p.String() {
				t.Fatalf("RedactURL(%q) = %q, want it unchanged", plain.String(), got)
			}
		}
	})
}
