#!/usr/bin/env bash
# Mutation testing of src/Invariants with Stryker.NET (a local tool: dotnet-tools.json), not in CI:
# about 50 minutes on 2 cores. String mutations are left out (messages are checked by the golden
# file, not by their wording). The tests run are the unit and property tests, the catalog, the
# golden file and the Coyote runs (the kernel and command-line tests start processes the mutants do
# not reach). Usage: bench/mutation/run.sh [OUTPUT_DIR]   (default out/mutation; the report is
# OUTPUT_DIR/reports/mutation-report.html). docs/mutation.md records the scores and the survivors.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="$(realpath -m "${1:-out/mutation}")"
dotnet tool restore >/dev/null
cd src/Invariants
dotnet dotnet-stryker --config-file ../../bench/mutation/stryker-config.json --output "$OUT"
