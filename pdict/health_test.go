package pdict

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckHealth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	d, err := Open(filepath.Join(dir, "counter.pdict"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CheckHealth(context.Background()); err != nil {
		t.Fatalf("a fresh dictionary: %v", err)
	}
	// The directory vanishes under the process (a cleaned-up volume).
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckHealth(context.Background()); err == nil || !strings.Contains(err.Error(), "counter.pdict is not writable") {
		t.Fatalf("with its directory gone: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckHealth(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}
