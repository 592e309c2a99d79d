#!/usr/bin/env bash
# Crash soak: runs tests/crash.rs in release mode for many cycles (default 1000) on one store and
# prints a one-line summary. JIBAN_CRASH_CYCLES and JIBAN_CRASH_SEED override the defaults.
# Exit status: the test's; non-zero on any failure (a lost acknowledgement, a store that will not reopen).
set -uo pipefail
cd "$(dirname "$0")/.."
cycles=${JIBAN_CRASH_CYCLES:-1000}
log=$(mktemp "${TMPDIR:-/tmp}/jiban-crash-soak.XXXXXX")
start=$(date +%s)
JIBAN_CRASH_CYCLES=$cycles cargo test --release --test crash -- --nocapture 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
wall=$(($(date +%s) - start))
summary=$(grep -o 'crash summary: .*' "$log" | tail -n 1)
if [ -z "$summary" ]; then
    echo "crash soak: no summary; the test did not finish (exit $status, log $log)"
    exit "${status/#0/1}"
fi
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$summary"; }
echo "crash soak: cycles=$(field cycles) acknowledged_commands_checked=$(field acknowledged)" \
    "checks=$(field checks) failures=$(field failures) seed=$(field seed)" \
    "wall=${wall}s exit=$status (log $log)"
exit "$status"
