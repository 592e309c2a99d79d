#!/usr/bin/env bash
# Crash soak: runs tests/crash.rs (the CLI, one process per command) and the server crash test of
# tests/durability_proof.rs (four concurrent writers through `jiban serve`, group commit, the
# server SIGKILLed the moment a reply arrives) in release mode for many cycles (default 1000 each)
# and prints a one-line summary of each. JIBAN_CRASH_CYCLES and JIBAN_CRASH_SEED override the
# defaults. Exit status: non-zero on any failure (a lost acknowledgement, a store that will not
# reopen).
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
server_log=$(mktemp "${TMPDIR:-/tmp}/jiban-crash-soak-server.XXXXXX")
JIBAN_SERVER_CRASH_CYCLES=$cycles cargo test --release --test durability_proof \
    a_server_killed_between_its_flush_and_its_replies -- --nocapture 2>&1 | tee "$server_log"
server_status=${PIPESTATUS[0]}
server_summary=$(grep -o 'server crash summary: .*' "$server_log" | tail -n 1)
echo "crash soak (server): ${server_summary:-no summary} exit=$server_status (log $server_log)"
if [ "$status" -eq 0 ]; then status=$server_status; fi
exit "$status"
