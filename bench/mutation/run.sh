#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local tool: dotnet-tools.json), not in CI.
#   bench/mutation/run.sh [invariants|model|core|peer|footprint|explore] [OUTPUT_DIR] [FILES]
# FILES: comma-separated globs relative to the project (e.g. "Ops/Readahead.cs,Ops/CachedIomap.cs")
#   mutate only those files: a run per directory or per mechanism fits in one sitting.
# invariants (default): src/Invariants against the unit tests, the catalog and the golden file,
#   about 10 to 50 minutes on 2 cores.
# model: src/Model against the unit tests, the golden file row by row (every catalog row's verdict,
#   states, transitions, trace steps and message) and the walk snapshots (what each step of two walks
#   per row does, notes included), two mutants at a time: about 3 s a mutant on 2 cores, so a few
#   files (FILES) at a sitting; summarize.py adds the runs' reports up.
# core: src/Model as model, adding the symmetry tests (State/Symmetry.cs: permutations, canonical
#   forms, searches with and without it), for the State, Steps, Scenario and Variants files.
# peer: src/Model as model, adding the SPIN cross-validation and reduction tests, the only ones
#   that run the SPIN peer model (Peer/*.cs; slower per mutant, so only for those files).
# footprint: src/Model as model, adding the commutation checks (FootprintTests: every catalog row,
#   scale-2, the peer model) and --por-steps, for the recording accessors (State/Footprint.cs,
#   State/TrackedViews.cs, State/InodeViews.cs) and the private-step merging in Steps/Semantics.cs.
# explore: src/Explore against the preemption-bounded search's and the reduction bound's tests (every
#   catalog row each), for Engines/Exhaustive/PreemptionBoundedExplorer.cs, PersistentSetBound.cs and
#   ThreadFutures.cs (FILES).
# String mutations are left out (messages are checked by the golden file, not by their wording).
# The kernel and command-line tests start processes the mutants do not reach, and the Coyote and
# FsCheck runs are left out because they take most of the time. Run it in a separate clone: Stryker
# rebuilds the projects in place. The report is OUTPUT_DIR/reports/mutation-report.html (default
# out/mutation-TARGET); docs/mutation.md records the scores and the survivors.
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET="${1:-invariants}"
case "$TARGET" in
  invariants) DIR=src/Invariants; CONFIG=stryker-config.json ;;
  model) DIR=src/Model; CONFIG=stryker-model.json ;;
  core) DIR=src/Model; CONFIG=stryker-core.json ;;
  peer) DIR=src/Model; CONFIG=stryker-peer.json ;;
  footprint) DIR=src/Model; CONFIG=stryker-footprint.json ;;
  explore) DIR=src/Explore; CONFIG=stryker-explore.json ;;
  *) echo "run.sh: unknown target '$TARGET' (invariants, model, core, peer, footprint or explore)" >&2; exit 2 ;;
esac
OUT="$(realpath -m "${2:-out/mutation-$TARGET}")"
dotnet tool restore >/dev/null
cd "$DIR"
MUTATE=()
if [ -n "${3:-}" ]; then IFS=, read -ra GLOBS <<< "$3"; for g in "${GLOBS[@]}"; do MUTATE+=(--mutate "$g"); done; fi
dotnet dotnet-stryker --config-file "../../bench/mutation/$CONFIG" --output "$OUT" "${MUTATE[@]}"
