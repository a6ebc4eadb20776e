#!/usr/bin/env bash
# Runs every test file with node's test runner and fails when no test ran (node exits 0 on zero tests).
set -uo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(test/**/*.test.ts)
if [ "${#files[@]}" -eq 0 ]; then
  echo "test: no test files found under test/" >&2
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Tests mostly wait on nmap and sockets, so files run side by side even on 2 cores.
node --import tsx --test --test-reporter=spec --test-concurrency=4 "${files[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
ran=$(sed -n 's/^ℹ tests \([0-9]\+\)$/\1/p' "$log" | tail -n 1)
failed=$(sed -n 's/^ℹ fail \([0-9]\+\)$/\1/p' "$log" | tail -n 1)
if [ -z "$ran" ] || [ "$ran" -eq 0 ]; then
  echo "test: no test ran" >&2
  exit 1
fi
echo "$((ran - ${failed:-0})) passed, ${failed:-0} failed"
exit "$status"
