// Package apptest runs a real asab application inside a test and reads its
// Prometheus metrics over HTTP, so that package tests (web, sock, mom, ...)
// need not each carry their own copy of these helpers.
//
// An application runs in a goroutine: New builds it from configuration text,
// app options and module factories; Run (or RunUntil) starts it and returns
// once it is ready; Stop stops it and gives the exit code. A test cleanup
// stops an application the test left running, or releases one that never
// ran, so that the next test can create its own (only one application may be
// current per process). Start is New followed by Run.
//
// Scrape GETs a Prometheus text endpoint such as /asab/v1/metrics and parses
// it with expfmt; Value and Lookup read one sample out of the result.
package apptest
