// Command webbare is the baseline of bench/web.sh: bare echo serving the
// same GET /hello as examples/webserver, with no middleware and no log.
//
//	go run ./bench/webbare -listen 127.0.0.1:8081
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "Hello!") })
	srv := &http.Server{Addr: *listen, Handler: e}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "webbare:", err)
		os.Exit(1)
	}
}
