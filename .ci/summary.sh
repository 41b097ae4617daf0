#!/usr/bin/env bash
# Adds up the pass/fail counts of every runner in a test log (cargo test,
# wasm-bindgen-test, node --test; the demos' Vitest runs are reported in node
# --test's form by tests/node/run-apps.mjs) and prints one closing line.
set -euo pipefail
log=${1:?usage: summary.sh LOG}
awk '
  /^test result: / {
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed/) p += $i
      if ($(i+1) ~ /^failed/) f += $i
    }
  }
  /^# pass [0-9]+$/ { p += $3 }
  /^# fail [0-9]+$/ { f += $3 }
  END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }
' "$log"
