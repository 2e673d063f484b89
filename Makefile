# asab for Go: the single entry point for checks, tests, fuzzing and benchmarks.
GO      ?= go
PKGS    ?= ./...
FUZZTIME ?= 10s

.PHONY: all test lint vet unit examples fuzz bench bench-go run-example services

all: test

## test: everything CI runs: lint, race-enabled tests (real RabbitMQ, sockets,
## child processes), and the examples run end to end.
test: lint unit

## lint: gofmt and go vet must both be silent.
lint:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

vet: lint

## unit: go test -race over every package, examples/ included (its test
## builds and runs every example program). scripts/testsum runs go test
## -json and shows the package lines, the output of failed tests, and ends
## with one line "make test: N passed, N failed, N skipped (N packages)";
## its exit status is go test's (built first, not go run, so that no
## "exit status 1" follows the summary).
unit:
	@d="$$(mktemp -d)" && $(GO) build -o "$$d/testsum" ./scripts/testsum && \
	GO=$(GO) "$$d/testsum" -race -count=1 -timeout 15m $(PKGS); rc=$$?; rm -rf "$$d"; exit $$rc

## fuzz: a short run of every fuzz target (FUZZTIME each), stored corpus
## first; ends with "make fuzz: N targets, N failed". CI runs it at 5s.
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

## bench: the side-by-side benchmark harness (bench/run.sh) when present,
## otherwise the Go benchmarks of every package.
bench:
	@if [ -x bench/run.sh ]; then bench/run.sh; else $(MAKE) bench-go; fi

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## run-example: the README's main example.
run-example:
	$(GO) run ./examples/webserver
