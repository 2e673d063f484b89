package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/mom"
	"github.com/asabgo/asab/web"
)

// TestCounter runs the tutorial's application in the test: it waits for
// two counts, asks for the count over HTTP (which asks the counter over
// MOM), and checks that the count survives a restart in the pdict.
func TestCounter(t *testing.T) {
	state := filepath.Join(t.TempDir(), "counter.pdict")
	conf := fmt.Sprintf("[web]\nlisten=127.0.0.1:0\n[tutorial:counter]\npath=%s\n[logging:console]\nenabled=false\n", state)

	ta := asabtest.New(t, conf).AddModule(web.Module, mom.Module, Module)
	counted := ta.Subscribe(Counted)
	ta.Start()
	counted.Wait(t.Context(), nil)
	second := counted.Wait(t.Context(), nil)
	if second.Args[0] != 2 {
		t.Fatalf("second %s carries %v, want 2", Counted, second.Args)
	}

	url := asabtest.Service[*web.Service](t, ta).URL(0) + "/count"
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if n, err := strconv.Atoi(string(body)); res.StatusCode != http.StatusOK || err != nil || n < 2 {
		t.Fatalf("GET /count: %d %q", res.StatusCode, body)
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	// A second run goes on counting from the stored count.
	ta = asabtest.New(t, conf).AddModule(web.Module, mom.Module, Module)
	counted = ta.Subscribe(Counted)
	ta.Start()
	if m := counted.Wait(t.Context(), nil); m.Args[0].(int) <= 2 {
		t.Fatalf("after a restart the count is %v, want more than 2", m.Args[0])
	}
	if code := ta.Stop(); code != 0 {
		t.Fatalf("second run: exit code %d", code)
	}
}

// Every Go block of docs/tutorial.md before its test section is code of
// main.go: each run of non-blank lines appears in main.go as it is, so the
// tutorial shows the program that the examples test runs.
func TestTutorialShowsThisCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(doc), "## A test with asabtest")
	blocks := strings.Split(text, "```go\n")[1:]
	if len(blocks) < 4 {
		t.Fatalf("docs/tutorial.md has %d Go blocks before its test section", len(blocks))
	}
	for _, b := range blocks {
		b, _, _ = strings.Cut(b, "```")
		for _, part := range strings.Split(strings.TrimSpace(b), "\n\n") {
			if !strings.Contains(string(code), part) {
				t.Errorf("docs/tutorial.md shows code that main.go lacks:\n%s", part)
			}
		}
	}
}
