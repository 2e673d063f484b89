package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An endless file (/dev/zero) is refused once it passes MaxFileSize, with an
// error naming the file, instead of growing until the runtime runs out of
// memory.
func TestFileTooLarge(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	err := New().LoadFile("/dev/zero")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "/dev/zero") || !strings.Contains(err.Error(), "16 MiB") {
		t.Fatalf("LoadFile(/dev/zero): %v", err)
	}
}

// A line over MaxLineSize is an error naming the file and the line; one just
// at the limit loads.
func TestLineTooLong(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, "long.conf")
	if err := os.WriteFile(long, []byte("[s]\na = 1\nb = "+strings.Repeat("x", MaxLineSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := New().LoadFile(long)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), long+":3:") {
		t.Fatalf("LoadFile: %v, want a too-long error at line 3", err)
	}
	ok := filepath.Join(dir, "ok.conf")
	if err := os.WriteFile(ok, []byte("[s]\nb = "+strings.Repeat("x", MaxLineSize-4)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := New().LoadFile(ok); err != nil {
		t.Fatalf("a line of exactly MaxLineSize bytes: %v", err)
	}
}

// The limits hold for included files too, and the error names the included
// file; the Config is left unchanged.
func TestIncludedFileTooLarge(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"main.conf": "[general]\ninclude = /dev/zero\n[s]\na = 1\n",
		"line.conf": "[general]\ninclude = long.conf\n",
		"long.conf": "[s]\n" + strings.Repeat(";", MaxLineSize+1),
	})
	c := New()
	err := c.LoadFile(filepath.Join(dir, "main.conf"))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "/dev/zero") {
		t.Fatalf("include of /dev/zero: %v", err)
	}
	err = c.LoadFile(filepath.Join(dir, "line.conf"))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), filepath.Join(dir, "long.conf")+":2:") {
		t.Fatalf("include of a long line: %v", err)
	}
	if len(c.Sections()) != 0 {
		t.Error("a failed load changed the config")
	}
}
