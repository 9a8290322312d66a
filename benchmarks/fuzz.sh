#!/usr/bin/env bash
# The long run of the hostile-job generator (by hand, not CI): N seeded mutations of a valid job through a pool
# on the embedded broker; each must get exactly one result, nothing may be written outside the root and work
# folders, and a good job must still run afterwards. Prints the outcome counts.
#   benchmarks/fuzz.sh [CASES [SEED]]     (defaults: 3000 cases, seed 20261129)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-3000}
seed=${2:-20261129}
mvn -B test -Dtest='HostileJobsIT#hundredsOfMutatedJobsEachGetOneResult' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.cases="$cases" -Dfuzz.seed="$seed" 2>&1 | grep -aE '^fuzz:|Tests run:|FAIL|BUILD' || true
