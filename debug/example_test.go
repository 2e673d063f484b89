package debug_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/asabgo/asab/debug"
)

// A program that runs its own admin listener can mount the debug endpoints
// there instead of using the module.
func ExampleHandler() {
	srv := httptest.NewServer(debug.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/debug/pprof/cmdline")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output: 200 text/plain; charset=utf-8
}
