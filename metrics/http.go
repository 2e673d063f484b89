package metrics

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/asabgo/asab/logging"
	"github.com/asabgo/asab/web"
)

// expose adds the endpoints to asab.WebService. Without a web service the
// metrics still work (Registry, Gather) and one NOTICE says so.
func (s *Service) expose() error {
	if s.set.Path == "" && s.set.JSONPath == "" {
		return nil
	}
	v, ok := s.app.Registry().Lookup(web.ServiceName)
	if !ok {
		s.log.Notice().Str("path", s.set.Path).
			Msg("No asab.WebService is registered, so metrics are not served over HTTP; add web.Module to serve them")
		return nil
	}
	ws, ok := v.(*web.Service)
	if !ok {
		return fmt.Errorf("metrics: service %q is a %T, not a *web.Service", web.ServiceName, v)
	}
	e := ws.Echo()
	if s.set.Path != "" {
		e.GET(s.set.Path, echo.WrapHandler(s.Handler()))
	}
	if s.set.JSONPath != "" {
		e.GET(s.set.JSONPath, echo.WrapHandler(http.HandlerFunc(s.serveJSON)))
	}
	return nil
}

// Handler returns the HTTP handler of the Prometheus endpoint: the text
// exposition format, or OpenMetrics when the request's Accept header asks
// for application/openmetrics-text. Use it to serve the metrics on a web
// container of your own.
func (s *Service) Handler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
		ErrorLog:          errorLog{s.log},
	})
}

// errorLog passes promhttp's gathering errors to the metrics logger.
type errorLog struct{ l *logging.Logger }

// Println implements promhttp.Logger.
func (e errorLog) Println(v ...any) {
	e.l.Error().Msg(fmt.Sprint(v...))
}
