package syncbuf_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/asabgo/asab/internal/syncbuf"
)

// TestConcurrentWriteAndString: under -race, writes and reads at once are
// no race, and every byte written is kept.
func TestConcurrentWriteAndString(t *testing.T) {
	var buf syncbuf.Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_, _ = buf.Write([]byte("ab"))
				_ = buf.String()
			}
		})
	}
	wg.Wait()
	if got := buf.String(); len(got) != 800 || strings.Count(got, "ab") != 400 {
		t.Fatalf("buffer holds %d bytes, %d of \"ab\"; want 800 and 400", len(got), strings.Count(got, "ab"))
	}
}
