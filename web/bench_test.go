package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/web"
)

// discardWriter is a reusable http.ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// serveLoop sends b.N GET /hello requests through h.
func serveLoop(b *testing.B, h http.Handler) {
	req, _ := http.NewRequest("GET", "/hello", nil)
	req.RemoteAddr = "127.0.0.1:5000"
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkBareEcho is the baseline: echo with the route and nothing else.
func BenchmarkBareEcho(b *testing.B) {
	e := echo.New()
	e.GET("/hello", hello)
	serveLoop(b, e)
}

// benchContainer runs GET /hello through the web service's echo, with its
// middleware chain, logging to a JSON file (access log on or off).
func benchContainer(b *testing.B, accessLog string) {
	conf := "[web]\nlisten=127.0.0.1 0\naccess_log=" + accessLog + "\n[logging:console]\nenabled=false\n[logging:file]\npath=" +
		filepath.Join(b.TempDir(), "al.log") + "\n"
	a := app.New(app.WithName("bench"), app.WithArgs(), app.WithConfigString(conf))
	defer a.Release()
	if err := a.AddModule(web.Module); err != nil {
		b.Fatal(err)
	}
	svc, err := app.Service[*web.Service](a)
	if err != nil {
		b.Fatal(err)
	}
	svc.Echo().GET("/hello", hello)
	p, err := logging.Setup(a.Config(), logging.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(context.Background())
	serveLoop(b, svc.Echo())
}

// BenchmarkChainAccessLog is the full chain with the access log to a file.
func BenchmarkChainAccessLog(b *testing.B) { benchContainer(b, "true") }

// BenchmarkChainNoAccessLog is the chain with access_log = false.
func BenchmarkChainNoAccessLog(b *testing.B) { benchContainer(b, "false") }
