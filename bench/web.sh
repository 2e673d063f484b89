#!/usr/bin/env bash
# bench/web.sh: requests/s of examples/webserver (asab web container:
# access log to a file, default timeouts, metrics) against bare echo
# serving the same GET /hello, measured with wrk on 127.0.0.1, one server
# at a time, several rounds alternating.
#
#   bench/web.sh                     # 3 rounds of 10 s each, -t2 -c64
#   ROUNDS=5 DURATION=5s bench/web.sh
#   BASELINE=bare bench/web.sh       # against bare echo with nothing
#   EXTRA='servertokens=none' bench/web.sh   # more [web] lines for the example
#
# BASELINE says what the example is compared with (see bench/webbare):
# "log" (the default, and the target's baseline: bare echo as run in
# production, with the same http.Server timeouts, echo's Recover and
# echo's RequestLogger writing a zerolog line per request to a file),
# "log-async" (the same through zerolog's diode writer) or "bare" (bare
# echo with no middleware, no timeouts and no log; no target).
#
# Prints each round, the median requests/s of both, their ratio
# (framework / baseline; the target against BASELINE=log is 1.0 or more),
# the median of the rounds' own ratios (steadier when the machine's speed
# drifts), each server's CPU time per request (from /proc/PID/stat; less
# disturbed than requests/s when other programs share the machine) and the
# load average.
# Exits non-zero only when something fails to build or run, never on a
# missed target.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
PORT_BARE=${PORT_BARE:-18081}
PORT_ASAB=${PORT_ASAB:-18082}
ACCESS_LOG=${ACCESS_LOG:-true} # false: measure the chain without the access log
EXTRA=${EXTRA:-}                # more lines for the example's [web] section
BASELINE=${BASELINE:-log}       # log, log-async or bare

cd "$(dirname "$0")/.."
. bench/lib.sh
need wrk wrk
need curl curl

work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

build_web "$work" "$PORT_ASAB" "$ACCESS_LOG" "$EXTRA"
base_args=$(baseline_args "$work" "$BASELINE")

# wait_port waits until something answers GET /hello on the port.
wait_port() {
	for _ in $(seq 1 100); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$1/hello" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "server on port $1 did not come up" >&2
	return 1
}

# run_one NAME PORT CMD...: starts the server, runs wrk, stops the server,
# prints requests/s and appends the server's CPU time per request (user
# and system, microseconds) to $work/NAME-cpu.txt.
run_one() {
	local name=$1 port=$2
	shift 2
	"$@" >"$work/server.out" 2>&1 &
	pid=$!
	wait_port "$port"
	local before after
	before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 5s "http://127.0.0.1:$port/hello" >"$work/wrk.out"
	after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" '/ requests in / {printf "%.2f\n", t / hz * 1e6 / $1}' "$work/wrk.out" >>"$work/$name-cpu.txt"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
	if grep -q "Non-2xx\|Socket errors" "$work/wrk.out"; then
		echo "wrk reported errors:" >&2
		cat "$work/wrk.out" >&2
	fi
	awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds; $(nproc) CPUs; asab access_log=$ACCESS_LOG${EXTRA:+, $EXTRA}; baseline $BASELINE"
: >"$work/bare.txt"
: >"$work/asab.txt"
: >"$work/ratios.txt"
for r in $(seq 1 "$ROUNDS"); do
	# Which server goes first alternates, so a machine that slows down or
	# speeds up during a round does not favour one of them.
	if [ $((r % 2)) = 1 ]; then
		# shellcheck disable=SC2086 # base_args is a list of words without spaces
		bare=$(run_one bare "$PORT_BARE" "$work/webbare" -listen "127.0.0.1:$PORT_BARE" $base_args)
		asab=$(run_one asab "$PORT_ASAB" "$work/webserver" -c "$work/webserver.conf")
	else
		asab=$(run_one asab "$PORT_ASAB" "$work/webserver" -c "$work/webserver.conf")
		# shellcheck disable=SC2086 # base_args is a list of words without spaces
		bare=$(run_one bare "$PORT_BARE" "$work/webbare" -listen "127.0.0.1:$PORT_BARE" $base_args)
	fi
	echo "$bare" >>"$work/bare.txt"
	echo "$asab" >>"$work/asab.txt"
	awk -v a="$asab" -v b="$bare" 'BEGIN {printf "%.4f\n", a / b}' >>"$work/ratios.txt"
	printf 'round %d: baseline %10.0f req/s   asab web %10.0f req/s   ratio %s   load %s\n' "$r" "$bare" "$asab" "$(tail -1 "$work/ratios.txt")" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
lines=$(grep -c 'asab.web.al' "$work/access.log" || true)
bare=$(median <"$work/bare.txt")
asab=$(median <"$work/asab.txt")
ratio=$(awk -v a="$asab" -v b="$bare" 'BEGIN {printf "%.3f", a / b}')
target=""
if [ "$BASELINE" = log ]; then target=" (target 1.0)"; fi
printf 'median: baseline %.0f req/s, asab web %.0f req/s, ratio %s%s, access-log lines %d\n' "$bare" "$asab" "$ratio" "$target" "$lines"
if [ "$BASELINE" != bare ]; then
	echo "baseline access-log lines $(wc -l <"$work/bare-access.log")"
fi
printf 'paired: median of the rounds'"'"' ratios %.3f (each round runs both servers back to back)\n' "$(median <"$work/ratios.txt")"
printf 'CPU per request (user and system, median): baseline %.2f us, asab web %.2f us\n' "$(median <"$work/bare-cpu.txt")" "$(median <"$work/asab-cpu.txt")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
