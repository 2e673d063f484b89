#!/usr/bin/env bash
# bench/webinstr.sh: user-space instructions per request of the baseline
# (bench/webbare) and of examples/webserver (access log to a file),
# counted by valgrind's callgrind while bench/webload sends the same
# requests to each. Unlike requests/s on a shared 2-core machine, the
# counts repeat to within a few percent from run to run (garbage
# collection cycles land at different requests; compare several runs of
# each side), so they show what a change to the request path costs or
# saves. Kernel time (system calls, TCP) is not counted.
#
#   bench/webinstr.sh                    # 8000 requests over 8 connections
#   N=20000 bench/webinstr.sh
#   BASELINE=bare bench/webinstr.sh      # against bare echo with nothing
#   BASELINE=tracing bench/webinstr.sh   # webtrace: exporter = none against no module
#   EXTRA='servertokens=none' bench/webinstr.sh   # more [web] lines
#
# BASELINE is as for bench/web.sh: log (the default: bare echo as run in
# production; the target is at most 1.05 times its instructions),
# log-async or bare; or tracing, the harness's tracing-off row in
# instructions: bench/webtrace with [tracing] exporter = none against the
# same binary with -no-tracing (the same configuration otherwise). Prints
# instructions per request for both, the difference and the ratio. With
# KEEP=DIR the callgrind outputs (bare.out*, asab.out*) are copied to DIR,
# for callgrind_annotate.
set -euo pipefail

N=${N:-8000}
CONNS=${CONNS:-8}
PORT_BARE=${PORT_BARE:-18091}
PORT_ASAB=${PORT_ASAB:-18092}
ACCESS_LOG=${ACCESS_LOG:-true}
EXTRA=${EXTRA:-}
BASELINE=${BASELINE:-log}

cd "$(dirname "$0")/.."
. bench/lib.sh
need valgrind valgrind
need curl curl

work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
	if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/*.out* "$KEEP"/ 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

build_web "$work" "$PORT_ASAB" "$ACCESS_LOG" "$EXTRA"
go build -o "$work/webload" ./bench/webload
if [ "$BASELINE" = tracing ]; then
	go build -o "$work/webtrace" ./bench/webtrace
	sed "s/^listen=.*/listen=127.0.0.1 $PORT_BARE/" "$work/webserver.conf" >"$work/without.conf"
	printf '[tracing]\nexporter=none\n' >>"$work/webserver.conf"
else
	base_args=$(baseline_args "$work" "$BASELINE")
fi

# count NAME PORT CMD...: runs the server under callgrind, warms it up,
# counts N requests and prints instructions per request. It runs in a
# command substitution, so it stops its server itself.
count() {
	local name=$1 port=$2
	shift 2
	# Go's asynchronous preemption signals upset callgrind; the count does
	# not depend on them.
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" "$@" >/dev/null 2>"$work/$name.err" &
	pid=$!
	for _ in $(seq 1 300); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$port/hello" 2>/dev/null; then break; fi
		sleep 0.2
	done
	"$work/webload" -url "http://127.0.0.1:$port/hello" -n 400 -c "$CONNS"
	callgrind_control -z "$pid" >/dev/null
	"$work/webload" -url "http://127.0.0.1:$port/hello" -n "$N" -c "$CONNS"
	sleep 0.5 # let an asynchronous log output write what it holds
	callgrind_control -d "$pid" >/dev/null
	sleep 0.5
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
	local f
	f=$(ls -t "$work/$name.out"* | head -1)
	callgrind_annotate "$f" 2>/dev/null | awk -v n="$N" '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); printf "%.0f\n", $1 / n; done = 1}'
}

if [ "$BASELINE" = tracing ]; then
	bare=$(count bare "$PORT_BARE" "$work/webtrace" -c "$work/without.conf" -no-tracing)
	asab=$(count asab "$PORT_ASAB" "$work/webtrace" -c "$work/webserver.conf")
else
	# shellcheck disable=SC2086 # base_args is a list of words without spaces
	bare=$(count bare "$PORT_BARE" "$work/webbare" -listen "127.0.0.1:$PORT_BARE" $base_args)
	asab=$(count asab "$PORT_ASAB" "$work/webserver" -c "$work/webserver.conf")
fi
echo "instructions per request ($N requests over $CONNS connections): baseline $bare, asab web $asab (baseline $BASELINE; access_log=$ACCESS_LOG${EXTRA:+, $EXTRA})"
awk -v a="$asab" -v b="$bare" 'BEGIN {printf "difference %d, ratio (asab/baseline) %.3f\n", a - b, a / b}'
