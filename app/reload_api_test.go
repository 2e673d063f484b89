package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/module"
	"github.com/asabgo/asab/pubsub"
)

// valueOf is cfg's value of section and key, "" when Get fails.
func valueOf(cfg *config.Config, section, key string) string {
	v, err := cfg.Get(section, key)
	if err != nil {
		return ""
	}
	return v
}

// journal records the validators and reloaders called, in order.
type journal struct {
	mu    sync.Mutex
	calls []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	j.calls = append(j.calls, s)
	j.mu.Unlock()
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.calls...)
}

// part validates and reloads its own section [name]: it refuses "bad" for
// [name] value, fails its Reload on "fail" and blocks it on "hang".
type part struct {
	name string
	j    *journal
}

var (
	_ module.ConfigValidator = (*part)(nil)
	_ module.Reloader        = (*part)(nil)
)

func (p *part) ValidateConfig(cfg *config.Config) error {
	v := valueOf(cfg, p.name, "value")
	p.j.add("validate " + p.name + "=" + v)
	if v == "bad" {
		return errors.New("[" + p.name + "] value = \"bad\": refused")
	}
	return nil
}

func (p *part) Reload(ctx context.Context, cfg *config.Config, changed []string) error {
	v := valueOf(cfg, p.name, "value")
	p.j.add("reload " + p.name + "=" + v + " " + strings.Join(changed, ","))
	switch v {
	case "fail":
		return errors.New("cannot apply")
	case "hang":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// startParts runs an application on the file text, with the services
// second and first registered in that order.
func startParts(t *testing.T, text string) (*asabtest.App, *journal, func(string)) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "app.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(file, []byte("[logging]\nlevel = CRITICAL\n"+text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(text)
	j := &journal{}
	ta := asabtest.New(t, "", app.WithArgs("-c", file)).AddModule(func(a *app.Application) (any, error) {
		a.Config().AddDefaults(map[string]map[string]any{"parts": {"default": "kept"}})
		if err := a.RegisterService("second", &part{"second", j}); err != nil {
			return nil, err
		}
		return nil, a.RegisterService("first", &part{"first", j})
	}).Start()
	return ta, j, write
}

func TestReloadValidatesAllThenAppliesInOrder(t *testing.T) {
	ta, j, write := startParts(t, "[first]\nvalue = 1\n[second]\nvalue = 1\n")
	a := ta.Application
	cfg := a.Config()
	reloads := ta.Subscribe(pubsub.Reload)
	write("[first]\nvalue = 2\n[second]\nvalue = 1\n")
	changed, err := a.Reload(t.Context())
	if err != nil || !reflect.DeepEqual(changed, []string{"first"}) {
		t.Fatalf("Reload = %q, %v; want [first], nil", changed, err)
	}
	want := []string{"validate second=1", "validate first=2", "reload second=1 first", "reload first=2 first"}
	if got := j.get(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if a.Config() != cfg || valueOf(cfg, "first", "value") != "2" {
		t.Fatalf("the same Config must hold the new value; got %q", valueOf(cfg, "first", "value"))
	}
	m := reloads.Wait(t.Context(), nil)
	if got := m.Args[0].([]string); !reflect.DeepEqual(got, []string{"first"}) {
		t.Fatalf("reload! carries %q, want [first]", got)
	}
}

func TestReloadRefusedChangesNothing(t *testing.T) {
	ta, j, write := startParts(t, "[first]\nvalue = 1\n[second]\nvalue = 1\n")
	a := ta.Application
	reloads := ta.Subscribe(pubsub.Reload)
	write("[first]\nvalue = bad\n[second]\nvalue = 2\n[third]\n")
	changed, err := a.Reload(t.Context())
	if !errors.Is(err, app.ErrReloadRefused) || changed != nil {
		t.Fatalf("Reload = %q, %v; want a refusal", changed, err)
	}
	if !strings.Contains(err.Error(), `service "first"`) || !strings.Contains(err.Error(), `[first] value = "bad"`) {
		t.Fatalf("the refusal does not name the service and the value: %v", err)
	}
	if got := j.get(); !reflect.DeepEqual(got, []string{"validate second=2", "validate first=bad"}) {
		t.Fatalf("calls %q: every validator is asked, no Reloader is called", got)
	}
	cfg := a.Config()
	if valueOf(cfg, "second", "value") != "1" || cfg.HasSection("third") {
		t.Fatal("a refused reload changed the configuration")
	}
	if reloads.Len() != 0 {
		t.Fatal("a refused reload published Application.reload!")
	}
}

func TestReloadSyntaxErrorChangesNothing(t *testing.T) {
	ta, j, write := startParts(t, "[first]\nvalue = 1\n")
	write("[first]\nvalue = 2\n[oops\n")
	_, err := ta.Application.Reload(t.Context())
	if !errors.Is(err, app.ErrReloadRefused) || !errors.Is(err, config.ErrSyntax) || !strings.Contains(err.Error(), "app.conf:5:") {
		t.Fatalf("Reload error %v: want a refusal naming app.conf:5 (the line of [oops)", err)
	}
	if len(j.get()) != 0 || valueOf(ta.Application.Config(), "first", "value") != "1" {
		t.Fatalf("a file that does not parse reached the validators or changed the configuration: %q", j.get())
	}
}

func TestReloaderErrorAfterTheSwap(t *testing.T) {
	ta, j, write := startParts(t, "[first]\nvalue = 1\n[second]\nvalue = 1\n")
	write("[general]\nreload_timeout = 100ms\n[first]\nvalue = hang\n[second]\nvalue = fail\n")
	changed, err := ta.Application.Reload(t.Context())
	if err == nil || errors.Is(err, app.ErrReloadRefused) {
		t.Fatalf("Reload error %v: want the Reloaders' errors, not a refusal", err)
	}
	for _, want := range []string{`service "second": cannot apply`, `service "first": did not finish within [general] reload_timeout`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Reload error lacks %q: %v", want, err)
		}
	}
	if !reflect.DeepEqual(changed, []string{"general", "first", "second"}) {
		t.Errorf("changed %q", changed)
	}
	if got := valueOf(ta.Application.Config(), "second", "value"); got != "fail" {
		t.Errorf("a Reloader's error undid the swap: [second] value = %q", got)
	}
	if got := j.get(); len(got) != 4 {
		t.Errorf("calls %q: the second Reloader must be called after the first failed", got)
	}
}

func TestReloadOutsideRunTime(t *testing.T) {
	ta := asabtest.New(t, "")
	if _, err := ta.Application.Reload(t.Context()); !errors.Is(err, app.ErrReloadRefused) {
		t.Fatalf("Reload before Run: %v", err)
	}
}

func TestReloadKeepsTheDefaultsModulesAdded(t *testing.T) {
	ta, _, write := startParts(t, "[first]\nvalue = 1\n[parts]\ndefault = from the file\n")
	a := ta.Application
	if got := valueOf(a.Config(), "parts", "default"); got != "from the file" {
		t.Fatalf("[parts] default = %q before the reload", got)
	}
	write("[first]\nvalue = 1\n")
	changed, err := a.Reload(t.Context())
	if err != nil || !reflect.DeepEqual(changed, []string{"parts"}) {
		t.Fatalf("Reload = %q, %v; want [parts], nil", changed, err)
	}
	if got := valueOf(a.Config(), "parts", "default"); got != "kept" {
		t.Fatalf("[parts] default = %q: a key removed from the file must fall back to the module's default", got)
	}
	write("[first]\nvalue = 1\n")
	if changed, err := a.Reload(t.Context()); err != nil || len(changed) != 0 {
		t.Fatalf("an unchanged file reloaded as %q, %v; want no change", changed, err)
	}
}
