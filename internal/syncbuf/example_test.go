package syncbuf_test

import (
	"fmt"
	"sync"

	"github.com/asabgo/asab/internal/syncbuf"
)

// Writers in several goroutines, a reader at the end.
func Example() {
	var buf syncbuf.Buffer
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { fmt.Fprint(&buf, "x") })
	}
	wg.Wait()
	fmt.Println(buf.String())
	// Output: xxx
}
