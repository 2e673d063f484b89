#!/usr/bin/env bash
# bench/loginstr.sh: instructions per log line, counted by valgrind's
# callgrind, for each kind of bench/logloop (notice, access, raw, debug): the
# difference between runs of N and 2N lines, so start-up does not count.
# The counts repeat from run to run where times on a shared machine vary.
#
#   bench/loginstr.sh                  # notice access raw debug, N=20000
#   N=50000 bench/loginstr.sh notice raw
set -euo pipefail
N=${N:-20000}
cd "$(dirname "$0")/.."
. bench/lib.sh
need valgrind valgrind
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/logloop" ./bench/logloop

# total KIND LINES: instructions of one whole run.
total() {
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$work/out" \
		"$work/logloop" -n "$2" -kind "$1" >/dev/null 2>&1
	callgrind_annotate "$work/out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'
}

kinds=("$@")
if [ ${#kinds[@]} -eq 0 ]; then kinds=(notice access raw debug); fi
for k in "${kinds[@]}"; do
	a=$(total "$k" "$N")
	b=$(total "$k" $((2 * N)))
	echo "$k: $(((b - a) / N)) instructions per line"
done
