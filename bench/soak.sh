#!/usr/bin/env bash
# Soak: Coyote schedules over every catalog scenario under the `fixed` kernel profile (every
# finding's fix), then generated scenarios on the same profile. Any violation is printed with its
# trace for triage; the figures (schedules/s, tests/s) go in the note of the issue that asked.
# Usage: bench/soak.sh [ITERATIONS_PER_SCENARIO (default 21277: 10^6 over the 47 catalog scenarios)] [GENERATED_TESTS (default 10000)] [SEED (default 1)]
set -uo pipefail
cd "$(dirname "$0")/.."
ITER="${1:-21277}"
TESTS="${2:-10000}"
SEED="${3:-1}"
dotnet build src/Cli -c Release -v q -nologo >/dev/null || exit 1
MC="dotnet src/Cli/bin/Release/net10.0/modelcheck.dll"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
total=0; secs=0; bugs=0
printf '%-28s %10s %8s %10s  %s\n' scenario iterations seconds it/s verdict
for id in $($MC list --json | python3 -c 'import json,sys; [print(s["id"]) for s in json.load(sys.stdin)["scenarios"]]'); do
  json=$($MC check "$id" --profile fixed --engine coyote --iterations "$ITER" --seed "$SEED" --json -q \
         --trace-out "$OUT/$id.json" 2>"$OUT/$id.err")
  rc=$?
  if [ $rc -eq 2 ]; then printf '%-28s %s\n' "$id" "n/a: $(head -1 "$OUT/$id.err")"; continue; fi
  read -r it s verdict inv < <(echo "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["iterations"], r["seconds"], r["verdict"], r["invariant"] or "-")')
  total=$((total + it)); secs=$(python3 -c "print($secs + $s)")
  [ "$verdict" = violated ] && bugs=$((bugs + 1))
  printf '%-28s %10s %8s %10s  %s\n' "$id" "$it" "$s" "$(python3 -c "print(round($it / max($s, 0.001)))")" "$verdict $inv"
  [ "$verdict" = violated ] && $MC replay "$OUT/$id.json" --width 100 | tail -25
done
echo "coyote: $total schedules in $secs s ($(python3 -c "print(round($total / max($secs, 0.001)))") schedules/s), $bugs scenarios with a violation"
# generated scenarios, twice: an O_DIRECT write and an mmap store of the same page collide by
# design (the kernel warns "Page cache invalidation failure on direct I/O. Possible data corruption
# due to collision with buffered I/O!", dio_warn_stale_pagecache; docs/findings.md), so each run
# leaves one of the two out. dropbehind-leak is left out too: the invalidation's trylock still skips
# a folio someone holds under BIO_COMPLETE_IN_TASK (db-trylock), which the fixed profile does not fix
INV="isize-regression,stale-data,read-coherence,zeroed-range,error-reported,lost-write,stable-pages,deadlock,blocked-forever,folio-flags"
ALL="buffered-write,dontcache-write,writethrough,aio-writethrough,buffered-read,dio-read,truncate,fsync,sync,memory-pressure,mmap-read,punch-hole,readahead,open,zero-range"
$MC generate --profile fixed --tests "$TESTS" --seed "$SEED" -q --ops "$ALL,dio-write" --invariants "$INV" --out "$OUT/generated" | head -5
$MC generate --profile fixed --tests "$TESTS" --seed "$((SEED + 1))" -q --ops "$ALL,mmap-store" --invariants "$INV" --out "$OUT/generated" | head -5
