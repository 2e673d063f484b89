package pdict

import (
	"fmt"
	"path/filepath"

	"context"

	"golang.org/x/sys/unix"
)

// CheckHealth reports whether the dictionary can still be written: it is
// open, and the process may write its file and the directory that holds it
// (a compaction replaces the file there). It makes a *Dict registered as a
// service a health check of the health module (health.Checker).
func (d *Dict) CheckHealth(ctx context.Context) error {
	d.mu.Lock()
	closed := d.lock == nil
	d.mu.Unlock()
	if closed {
		return ErrClosed
	}
	for _, p := range []string{d.path, filepath.Dir(d.path)} {
		if err := unix.Access(p, unix.W_OK); err != nil {
			return fmt.Errorf("pdict: %s is not writable: %w", p, err)
		}
	}
	return nil
}
