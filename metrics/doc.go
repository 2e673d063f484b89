// Package metrics is asab.MetricsService: counters, gauges and histograms
// with static and dynamic labels, kept in a Prometheus registry of the
// application's own and served by the web service as Prometheus text,
// OpenMetrics or JSON.
//
// Add the module and create metrics by name; a metric with dynamic labels
// hands out pre-bound children whose updates are a single atomic operation:
//
//	a.AddModule(web.Module)
//	a.AddModule(metrics.Module)
//	m, _ := app.Service[*metrics.Service](a)
//	jobs, _ := m.Counter("billing_jobs_total", metrics.Opts{
//		Help: "Jobs processed.", Labels: []string{"kind", "result"},
//	})
//	ok := jobs.With("invoice", "ok") // keep it; ok.Inc() costs a few ns
//
// The endpoints are GET /asab/v1/metrics (text format 0.0.4, or OpenMetrics
// when the Accept header asks for application/openmetrics-text) and
// GET /asab/v1/metrics.json; both paths are set in [asab:metrics]. Without a
// web service the metrics still work, and one NOTICE says they are not
// served.
//
// # One registry per application
//
// The registry is created by Module and lives as long as the application;
// the process-wide prometheus.DefaultRegisterer is never used. Two
// applications in one process (tests run them one after the other) have
// separate metrics and never clash. Registry returns the registry so that
// ready-made collectors can be added to it.
//
// # How other packages expose metrics
//
// A package that owns events (web requests, MOM messages, socket
// connections, log lines) does not call the metrics service. Its service
// implements prometheus.Collector (Describe and Collect) over counters it
// keeps itself, and the metrics service registers it: at its Initialize it
// registers every registered service that is a prometheus.Collector, and at
// Application.run! it does the same for services registered later during
// init-time. So the order in which modules are added does not matter, a
// package works the same without the metrics module, and a service created
// at run-time calls Service.Register itself. A collector whose metric names
// clash with ones already registered stops start-up with an error naming
// the service.
//
// # Built-in metrics
//
// asab_app_info{name,version}, asab_app_phase{phase}, asab_uptime_seconds,
// asab_tick_lag_seconds, asab_pubsub_published_total{type}, and the Go
// runtime (go_*) and process (process_*) collectors; docs/metrics.md
// describes each one.
package metrics
