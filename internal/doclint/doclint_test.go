package doclint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asabgo/asab/internal/doclint"
)

// TestModuleDocumented is the check itself: every exported identifier of
// the module has a comment.
func TestModuleDocumented(t *testing.T) {
	found, err := doclint.Check(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
}

// TestCheckFindsEachKind runs Check over testdata/sample, where exactly the
// identifiers named Bare... lack comments.
func TestCheckFindsEachKind(t *testing.T) {
	found, err := doclint.Check(filepath.Join("testdata", "sample"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		if filepath.Base(f.Pos.Filename) != "sample.go" {
			t.Errorf("finding outside sample.go (package main is skipped): %v", f)
		}
		got = append(got, f.What)
	}
	want := []string{
		"func BareFunc",
		"type BareType",
		"field BareType.BareField",
		"field BareType.BareA",
		"field BareType.BareB",
		"method BareType.BareMethod",
		"method Generic.BareGenericMethod",
		"interface method Iface.BareIfaceMethod",
		"const BareConst",
		"var BareVar",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckNamesUnparsableFile: a file with a syntax error is an error that
// names the file, not a silent pass.
func TestCheckNamesUnparsableFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broken.go")
	if err := os.WriteFile(path, []byte("package broken\n\nfunc {\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := doclint.Check(dir)
	if err == nil || !strings.Contains(err.Error(), "broken.go:3") {
		t.Fatalf("Check of a broken file: %v, want an error naming broken.go:3", err)
	}
}

// TestCheckMissingRoot: a root that does not exist is an error.
func TestCheckMissingRoot(t *testing.T) {
	if _, err := doclint.Check(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("Check of a missing directory succeeded")
	}
}

func ExampleCheck() {
	dir, _ := os.MkdirTemp("", "doclint")
	defer os.RemoveAll(dir)
	src := "// Package p is an example.\npackage p\n\n// Documented is documented.\nfunc Documented() {}\n\nfunc Bare() {}\n"
	_ = os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600)
	found, err := doclint.Check(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range found {
		fmt.Printf("%s:%d: %s\n", filepath.Base(f.Pos.Filename), f.Pos.Line, f.What)
	}
	// Output:
	// p.go:7: func Bare
}
