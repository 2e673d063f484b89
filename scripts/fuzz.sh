#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s). Each
# run replays the stored corpus (the package's testdata/fuzz/) first, so a
# regression found before fails at once; a new failing input is written
# there. Ends with "make fuzz: N targets, N failed" and exits 1 if any failed.
# A run that fails only with the fuzzing engine's own "context deadline
# exceeded" (a worker that did not answer before FUZZTIME ran out, seen on
# a loaded machine; no failing input is written) is run once more; a second
# such failure counts.
# Usage: scripts/fuzz.sh [FUZZTIME]
set -euo pipefail
fuzztime="${1:-10s}"
cd "$(dirname "$0")/.."
GO="${GO:-go}"

# "dir target" for every func FuzzXxx in a _test.go file (testdata skipped).
targets="$(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . |
  grep -v '/testdata/' |
  sed -E 's#^\./(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)"

n=0
failed=()
while read -r dir target; do
  [ -n "$dir" ] || continue
  n=$((n + 1))
  echo "== ./$dir $target ($fuzztime)"
  for try in 1 2; do
    out="$("$GO" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir" 2>&1)" && status=0 || status=$?
    printf '%s\n' "$out"
    if [ "$status" -ne 0 ] && [ "$try" = 1 ] && grep -q 'context deadline exceeded' <<<"$out" &&
      ! grep -q 'Failing input written to' <<<"$out"; then
      echo "== ./$dir $target: the fuzzing engine timed out a worker; running it once more"
      continue
    fi
    break
  done
  if [ "$status" -ne 0 ]; then
    failed+=("./$dir $target")
  fi
done <<<"$targets"

echo "make fuzz: $n targets, ${#failed[@]} failed"
for f in "${failed[@]+"${failed[@]}"}"; do
  echo "FAIL $f"
done
[ "${#failed[@]}" -eq 0 ]
