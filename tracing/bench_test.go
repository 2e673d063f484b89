package tracing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/internal/otlptest"
)

// BenchmarkEchoMiddleware serves GET /items/:id in process (no sockets)
// through echo: without the middleware, with it and exporter = none, with
// an exporter but sampling off, and sampling every request while exporting
// to a local OTLP/HTTP receiver.
//
//	go test -run '^$' -bench EchoMiddleware -benchmem ./tracing/
func BenchmarkEchoMiddleware(b *testing.B) {
	handler := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	serve := func(b *testing.B, mw echo.MiddlewareFunc) {
		e := echo.New()
		if mw != nil {
			e.Use(mw)
		}
		e.GET("/items/:id", handler)
		req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
		req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	b.Run("without", func(b *testing.B) { serve(b, nil) })
	b.Run("exporter=none", func(b *testing.B) {
		s, err := newService(context.Background(), settings{exporter: ExporterNone}, "bench", "")
		if err != nil {
			b.Fatal(err)
		}
		serve(b, s.EchoMiddleware())
	})
	b.Run("sampler=always_off", func(b *testing.B) {
		recv := otlptest.Start(b)
		s := initialized(b, settings{exporter: ExporterOTLPHTTP, endpoint: recv.URL(), sampler: "always_off",
			queueSize: 2048, batchSize: 512, batchTimeout: 100 * time.Millisecond, exportTimeout: 10 * time.Second}, nil)
		serve(b, s.EchoMiddleware())
	})
	b.Run("sampled=1.0,otlp-http", func(b *testing.B) {
		recv := otlptest.Start(b)
		s := initialized(b, settings{exporter: ExporterOTLPHTTP, endpoint: recv.URL(), sampler: "always_on",
			queueSize: 2048, batchSize: 512, batchTimeout: 100 * time.Millisecond, exportTimeout: 10 * time.Second}, nil)
		serve(b, s.EchoMiddleware())
		b.StopTimer()
		if err := s.Finalize(context.Background()); err != nil {
			b.Fatal(err)
		}
		dropped, exported, failed := s.SpanCounts()
		b.ReportMetric(float64(dropped)/float64(b.N), "dropped/op")
		if failed > 0 || exported == 0 {
			b.Errorf("exported %d, failed %d", exported, failed)
		}
	})
}

// BenchmarkStartPublishConsume is one publish and one consume span with
// the headers between them, sampled and exported to a local receiver.
//
//	go test -run '^$' -bench StartPublishConsume -benchmem ./tracing/
func BenchmarkStartPublishConsume(b *testing.B) {
	for _, exporter := range []string{ExporterNone, ExporterOTLPHTTP} {
		b.Run("exporter="+exporter, func(b *testing.B) {
			var s *Service
			if exporter == ExporterNone {
				s, _ = newService(context.Background(), settings{exporter: ExporterNone}, "bench", "")
			} else {
				recv := otlptest.Start(b)
				s = initialized(b, settings{exporter: exporter, endpoint: recv.URL(), sampler: "always_on",
					queueSize: 2048, batchSize: 512, batchTimeout: 100 * time.Millisecond, exportTimeout: 10 * time.Second}, nil)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_, h, endPub := s.StartPublish(ctx, SystemRabbitMQ, "orders", nil)
				_, endCons := s.StartConsume(ctx, SystemRabbitMQ, "q", "orders", h)
				endCons(nil)
				endPub(nil)
			}
		})
	}
}
