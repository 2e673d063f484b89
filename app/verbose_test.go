package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
)

// store and api are two services; api depends on store.
type store struct{}

type api struct{}

func (api) DependsOn() []string { return []string{"test.Store"} }

// TestVerboseShowsFilesServicesAndStartupTime: -v logs the configuration
// files read (the include too, with what included it), the modules and
// services in init order with their dependencies, and how long start-up took.
func TestVerboseShowsFilesServicesAndStartupTime(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "log.json")
	main := filepath.Join(dir, "main.conf")
	extra := filepath.Join(dir, "extra.conf")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(main, "[general]\ninclude = "+extra+"\n"+asabtest.JSONLogConfig(logPath))
	write(extra, "[extra]\nkey = 1\n")

	ta := asabtest.New(t, "", app.WithArgs("-v", "-c", main),
		app.WithMain(func(_ context.Context, a *app.Application) error { a.Stop(); return nil }))
	ta.AddModule(storeModule, apiModule)
	if code := ta.RunToExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got []string
	for _, l := range asabtest.ReadLog(t, logPath, "asab.application") {
		got = append(got, l.Level+" "+l.Message+" "+fields(l.Fields))
	}
	want := []string{
		"DEBUG Configuration read file=<embedded configuration>",
		"DEBUG Configuration file read file=" + main,
		"DEBUG Configuration file read file=" + extra + " included_by=" + main,
		"DEBUG Module initialized factory=app_test.storeModule module=*app_test.recordingModule services=test.Store",
		"DEBUG Module initialized factory=app_test.apiModule services=test.Api",
		"DEBUG Service initialized service=test.Store type=*app_test.store",
		"DEBUG Service initialized depends_on=test.Store service=test.Api type=app_test.api",
		"NOTICE is ready. startup_time=",
	}
	all := strings.Join(got, "\n")
	at := 0
	for _, w := range want {
		i := strings.Index(all[at:], w)
		if i < 0 {
			t.Fatalf("the -v log lacks %q after position %d:\n%s", w, at, all)
		}
		at += i + len(w)
	}
}

// recordingModule is a module with nothing to do but be listed.
type recordingModule struct{}

// storeModule returns a module; apiModule only registers a service.
func storeModule(a *app.Application) (any, error) {
	return &recordingModule{}, a.RegisterService("test.Store", &store{})
}

func apiModule(a *app.Application) (any, error) { return nil, a.RegisterService("test.Api", api{}) }

// fields renders a line's fields sorted by key, as key=value.
func fields(f map[string]any) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := f[k]
		if list, ok := v.([]any); ok {
			s := make([]string, len(list))
			for i, x := range list {
				s[i] = fmt.Sprint(x)
			}
			v = "[" + strings.Join(s, " ") + "]"
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	return strings.Join(parts, " ")
}
