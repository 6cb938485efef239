#!/usr/bin/env bash
# Seeded bugs: for each invariant, a kernel behaviour known to break it (a switch value of the
# catalog, i.e. a model mutation chosen by a reviewer), and whether each engine finds it within
# its budget: the exhaustive search (complete, so always, with the shortest trace), Coyote
# (random strategy) and FsCheck's random schedules, both with fixed seeds so the
# iterations-to-bug column is reproducible. Usage: bench/seeded-bugs.sh [BUDGET (default 10000)] [SEED (default 1)]
set -uo pipefail
cd "$(dirname "$0")/.."
BUDGET="${1:-10000}"
SEED="${2:-1}"
dotnet build src/Cli -c Release -v q -nologo >/dev/null || exit 1
MC="dotnet src/Cli/bin/Release/net10.0/modelcheck.dll"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
rows=(
  "isize-regression wt-aio-truncate WtAioDioCount=off"
  "stale-data wt-cow-hole WtCowConvert=at-iomap-begin"
  "read-coherence wt-aio-dio-read WtWritebackEnd=at-bio-end"
  "lost-write wt-partial-folio WtDirtyClear=whole-folio"
  "stable-pages wt-stable-overlap WtStableWrites=plain-bit"
  "deadlock fuse-reclaim FuseWriteback=no-temp-page"
  "blocked-forever fuse-sync-hang FuseWriteback=no-temp-page"
  "dropbehind-leak db-irq-skip DropbehindIrq=skip"
  "folio-flags db-redirty DropbehindRecheck=off"
  "zeroed-range read-punch-invalidate-lock FillInvalidateLock=fs-only,ReadLock=none"
  "error-reported fsync-error-errseq WbErrReporting=as-eio"
  "crash-size crash-size-truncate-up TruncateUpFlush=none"
)
printf '| invariant | scenario | seeded behaviour | exhaustive: states, trace steps | coyote: iteration found (of %s) | fscheck: schedule found (of %s) |\n|---|---|---|---|---|---|\n' "$BUDGET" "$BUDGET"
for r in "${rows[@]}"; do
  set -- $r
  inv=$1 id=$2 var=$3
  cell() { # engine -> "found at N (invariant)" or "not found"
    local json
    json=$($MC check "$id" --variant "$var" --engine "$1" --iterations "$BUDGET" --seed "$SEED" --json -q --trace-out "$OUT/$id.$1.json" 2>/dev/null)
    echo "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
if r["verdict"] != "violated": print("not found"); sys.exit()
where = r.get("iterationsToViolation")
print(("%s states, %s steps" % (r["states"], r["traceLength"])) if where is None else ("%s (%.1f s)" % (where, r["seconds"])), "" if r["invariant"] == sys.argv[1] else "other: " + r["invariant"])
' "$inv"
  }
  printf '| %s | %s | `%s` | %s | %s | %s |\n' "$inv" "$id" "$var" "$(cell exhaustive)" "$(cell coyote)" "$(cell fscheck)"
done
