#!/usr/bin/env bash
# bench/run.sh: the benchmark harness. Installs what the comparisons need
# (wrk, curl, valgrind, GNU time, RabbitMQ) when missing, then runs
# bench/harness, which measures the framework against its baselines side
# by side and prints one table (also written to bench/results/latest.md).
#
#   bench/run.sh            # full run, under 10 minutes on 2 cores
#   bench/run.sh -quick     # smoke run; figures not worth quoting
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
need wrk wrk
need curl curl
need valgrind valgrind
need /usr/bin/time time
need rabbitmq-server rabbitmq-server
if ! rabbitmqctl -q status >/dev/null 2>&1; then
	rabbitmq-server -detached
fi
timeout 120 rabbitmqctl await_startup >/dev/null

exec go run ./bench/harness "$@"
