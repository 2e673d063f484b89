package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCounterSurvivesRestarts(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "pdict.conf")
	if err := os.WriteFile(conf, []byte("[pdict]\npath=state/counter.pdict\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path, err := statePath(conf)
	if err != nil || path != filepath.Join(dir, "state", "counter.pdict") {
		t.Fatalf("statePath = %q, %v", path, err)
	}
	for want := 1; want <= 3; want++ { // each call opens and closes, like a restart
		if n, err := countRun(path); err != nil || n != want {
			t.Fatalf("run %d: got %d, %v", want, n, err)
		}
	}
}

func TestMissingPath(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "pdict.conf")
	os.WriteFile(conf, []byte("[other]\nx=1\n"), 0o600)
	if _, err := statePath(conf); err == nil {
		t.Fatal("want an error for a missing [pdict] path")
	}
}
