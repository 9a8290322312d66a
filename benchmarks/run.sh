#!/usr/bin/env bash
# Runs the benchmarks by hand (never in CI). Figures are printed, with the ratio against the baseline measured
# in the same run. Options: -Dbench.copies=N (images x 3000), -Dbench.rounds=N, -Dbench.batch=N.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pbench test "$@" 2>&1 | grep -vE '^\s*$|INFO|WARN' || true
