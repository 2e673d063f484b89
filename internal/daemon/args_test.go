package daemon

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
)

// testSpec mirrors the application's standard flags plus one of its own.
func testSpec() ArgSpec {
	return ArgSpec{
		Kind: func(name string) FlagKind {
			switch name {
			case "c", "config", "l", "log-file", "port":
				return Value
			case "v", "d", "daemonize", "k":
				return Bool
			}
			return Unknown
		},
		Drop:  map[string]bool{"d": true, "daemonize": true},
		Paths: map[string]bool{"c": true, "config": true, "l": true, "log-file": true},
		Dir:   "/srv",
	}
}

func TestChildArgs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"-d", ""},
		{"-d -c app.conf", "-c=/srv/app.conf"},
		{"--daemonize=true -v --config=/etc/a.conf", "-v --config=/etc/a.conf"},
		{"-c -d -d", "-c=/srv/-d"}, // -d as the value of -c stays a value
		{"-l log/x.log --port 80 -d pos -d", "-l=/srv/log/x.log --port=80 pos -d"},
		{"-v -- -d", "-v -- -d"},
		{"-c", "-c"},
	} {
		got := strings.Join(ChildArgs(fields(tc.in), testSpec()), " ")
		if got != tc.want {
			t.Errorf("ChildArgs(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func fields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// FuzzChildArgs checks, for any command line, that the daemon's command
// line parses to the same values with the daemon flag off.
func FuzzChildArgs(f *testing.F) {
	for _, s := range []string{"-d -c a.conf", "--daemonize -v x", "-c -d", "-- -d", "-port=1 -d=false"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		before, ok := parse(args)
		if !ok {
			return
		}
		spec := testSpec()
		spec.Paths = nil // keep values identical for the comparison
		after, ok := parse(ChildArgs(args, spec))
		if !ok {
			t.Fatalf("daemon command line of %q does not parse", args)
		}
		before.d = false
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("%q: before %+v, daemon %+v", args, before, after)
		}
	})
}

type parsed struct {
	c, l, port string
	v, d, k    bool
	rest       []string
}

func parse(args []string) (parsed, bool) {
	var p parsed
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&p.c, "c", "", "")
	fs.StringVar(&p.c, "config", "", "")
	fs.StringVar(&p.l, "l", "", "")
	fs.StringVar(&p.l, "log-file", "", "")
	fs.StringVar(&p.port, "port", "", "")
	fs.BoolVar(&p.v, "v", false, "")
	fs.BoolVar(&p.d, "d", false, "")
	fs.BoolVar(&p.d, "daemonize", false, "")
	fs.BoolVar(&p.k, "k", false, "")
	if fs.Parse(args) != nil {
		return p, false
	}
	p.rest = fs.Args()
	if len(p.rest) == 0 {
		p.rest = nil
	}
	return p, true
}
