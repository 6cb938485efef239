#!/usr/bin/env bash
# Mutation testing of src/Invariants with Stryker.NET (a local tool: dotnet-tools.json), not in CI:
# about 20 to 50 minutes on 2 cores. String mutations are left out (messages are checked by the
# golden file, not by their wording). The tests run are the unit tests, the catalog and the golden
# file: the kernel and command-line tests start processes the mutants do not reach, and the Coyote
# and FsCheck runs are left out because they take most of the time.
# Usage: bench/mutation/run.sh [OUTPUT_DIR]   (default out/mutation; the report is
# OUTPUT_DIR/reports/mutation-report.html). docs/mutation.md records the scores and the survivors.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="$(realpath -m "${1:-out/mutation}")"
dotnet tool restore >/dev/null
cd src/Invariants
dotnet dotnet-stryker --config-file ../../bench/mutation/stryker-config.json --output "$OUT"
