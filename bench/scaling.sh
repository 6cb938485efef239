#!/usr/bin/env bash
# The kernel model's scaling series (bench/scaling/scale-N.yaml: N writers each writing and
# fsyncing their own folio, a truncate, a reader, the flusher and an IRQ device), each searched
# with and without the exhaustive engine's reduction, on one and on two workers, in one run so
# the ratios compare like with like on a noisy machine. Prints one row per run and the ratios.
# Then the symmetric variant (bench/scaling/scale-readers-N.yaml: N identical readers, a writer with
# fsync, a truncate), searched with and without symmetry reduction (--no-symmetry).
# Then how far persistent sets could go (check --reduction-bound) on scale-1 and scale-2, and the
# preemption-bounded search (check --preemption-bound K) on scale-2..4.
# Usage: bench/scaling.sh [MAX_STATES (default 5000000: scale-3 and scale-4 stop there)] [--full: scale-4 too, and the larger bounded searches]
set -uo pipefail
cd "$(dirname "$0")/.."
MAX="${1:-5000000}"
SERIES="1 2 3"
[ "${2:-}" = --full ] && SERIES="1 2 3 4"
dotnet build src/Cli -c Release -v q -nologo >/dev/null || exit 1
MC="dotnet src/Cli/bin/Release/net10.0/modelcheck.dll"
printf '| %-8s | %-22s | %7s | %12s | %13s | %8s | %9s | %-8s | %s\n' scenario run workers states transitions seconds states/s complete reduction
printf '|%s|\n' "---|---|---:|---:|---:|---:|---:|---|---"
declare -A SECS STATES
for n in $SERIES; do
  for por in on off; do
    for w in 1 2; do
      flag=""; [ "$por" = off ] && flag="--no-por"
      json=$($MC check "bench/scaling/scale-$n.yaml" --variant default --workers "$w" --max-states "$MAX" $flag --json -q 2>/dev/null)
      read -r states trans secs rate complete red < <(echo "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["states"], r["transitions"], r["seconds"], int(r["statesPerSecond"] or 0), r["complete"], (r["reduction"] or "-").split(":")[0].replace(" ", "_"))')
      printf '| %-8s | %-22s | %7s | %12s | %13s | %8s | %9s | %-8s | %s\n' "scale-$n" "reduction $por" "$w" "$states" "$trans" "$secs" "$rate" "$complete" "${red//_/ }"
      SECS["$n,$por,$w"]=$secs; STATES["$n,$por,$w"]=$states
    done
  done
done
echo
for n in $SERIES; do
  python3 -c "
on, off = ${STATES[$n,on,1]}, ${STATES[$n,off,1]}
s1, s2 = ${SECS[$n,on,1]}, ${SECS[$n,on,2]}
print(f'scale-$n: states without/with reduction {off/on:.2f}x; two workers over one {s1/max(s2,0.001):.2f}x')"
done

echo
printf '| %-16s | %-14s | %12s | %13s | %8s | %-8s\n' scenario symmetry states transitions seconds complete
printf '|%s|\n' "---|---|---:|---:|---:|---"
for n in 2 3 4; do
  for sym in on off; do
    flag=""; [ "$sym" = off ] && flag="--no-symmetry"
    json=$($MC check "bench/scaling/scale-readers-$n.yaml" --variant default --max-states "$MAX" $flag --json -q 2>/dev/null)
    read -r states trans secs complete < <(echo "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["states"], r["transitions"], r["seconds"], r["complete"])')
    printf '| %-16s | %-14s | %12s | %13s | %8s | %-8s\n' "scale-readers-$n" "$sym" "$states" "$trans" "$secs" "$complete"
    STATES["r$n,$sym"]=$states; SECS["r$n,$sym"]=$secs
  done
done
echo
for n in 2 3 4; do
  python3 -c "
on, off = ${STATES[r$n,on]}, ${STATES[r$n,off]}
print(f'scale-readers-$n: states without/with symmetry {off/on:.2f}x (at most $n! = {__import__(\"math\").factorial($n)}x); seconds {${SECS[r$n,off]}:.2f} without, {${SECS[r$n,on]}:.2f} with')"
done

# Partial-order reduction by the steps it uses (--por-steps): the private steps (found by recording
# what each step reads and writes), the steps the model marks safe (only the SPIN peer model marks
# any), both (the default), and none (--no-por); on two catalog scenarios and the peer model, NF=3.
echo
printf '| %-28s | %-8s | %12s | %13s | %8s | %s\n' scenario steps states transitions seconds verdict
printf '|%s|\n' "---|---|---:|---:|---:|---"
for sc in "scenarios/isize-extend-mmap.yaml default" "scenarios/fuse-sync-hang.yaml FuseWriteback=temp-page" "scenarios/bench/bench-spin-a.yaml BenchFix=on"; do
  read -r file var <<<"$sc"
  for steps in all private safe none; do
    flag="--por-steps $steps"; [ "$steps" = none ] && flag="--no-por"
    json=$($MC check "$file" --variant "$var" --max-states "$MAX" $flag --json -q 2>/dev/null)
    read -r states trans secs verdict < <(echo "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["states"], r["transitions"], r["seconds"], r["verdict"])')
    printf '| %-28s | %-8s | %12s | %13s | %8s | %s\n' "$(basename "$file" .yaml)" "$steps" "$states" "$trans" "$secs" "$verdict"
    STATES["$file,$steps"]=$states
  done
  python3 -c "
n = ${STATES[$file,none]}
print(f'$(basename "$file" .yaml): states without/with: private steps {n/${STATES[$file,private]}:.2f}x, safe marks {n/${STATES[$file,safe]}:.2f}x, both {n/${STATES[$file,all]}:.2f}x')"
done

# How far partial-order reduction by persistent sets could go (check --reduction-bound): the
# unreduced search learns every thread's future footprints, then a search with stubborn sets
# closed over them; the bound against the search as shipped (the private steps).
echo
printf '| %-12s | %12s | %12s | %14s | %12s\n' scenario unreduced bound "bound, blind" "as shipped"
printf '|%s|\n' "---|---:|---:|---:|---:"
for n in 1 2; do
  json=$($MC check "bench/scaling/scale-$n.yaml" --variant default --reduction-bound --json -q 2>/dev/null)
  echo "$json" | python3 -c '
import json, re, sys
r = json.load(sys.stdin); b = r["reductionBound"]
nums = lambda pat: int(re.search(pat, b).group(1).replace(",", ""))
full, bound, blind = nums(r"search of ([0-9,]+) states"), nums(r"store ([0-9,]+) \("), nums(r"only\) ([0-9,]+) states")
shipped = r["states"]
print(f"| {sys.argv[1]:<12} | {full:>12,} | {bound:>12,} | {blind:>14,} | {shipped:>12,}")
print(f"{sys.argv[1]}: unreduced/bound {full/bound:.2f}x, unreduced/blind bound {full/blind:.2f}x, unreduced/as shipped {full/shipped:.2f}x", file=sys.stderr)
print(f"  {b}", file=sys.stderr)' "scale-$n"
done

# The preemption-bounded search (check --preemption-bound K): every schedule with at most K
# preemptions, completely; distinct kernel states, (state, last thread) pairs stored, seconds.
echo
printf '| %-8s | %2s | %-8s | %12s | %12s | %13s | %8s\n' scenario K verdict "distinct" stored transitions seconds
printf '|%s|\n' "---|---:|---|---:|---:|---:|---:"
PB="2:0 2:1 2:2 2:3 3:0 3:1 3:2 4:0 4:1"
[ "${2:-}" = --full ] && PB="$PB 3:3 4:2"
for nk in $PB; do
  n=${nk%%:*}; k=${nk##*:}
  $MC check "bench/scaling/scale-$n.yaml" --variant default --preemption-bound "$k" --max-states 30000000 --json -q 2>/dev/null | python3 -c '
import json, re, sys
r = json.load(sys.stdin); d = re.search(r"([0-9,]+) distinct", r["reduction"]).group(1)
v = r["verdict"] + ("" if r["complete"] or r["verdict"] == "violated" else " (cap)")
stored, trans, secs = r["states"], r["transitions"], r["seconds"]
print(f"| scale-{sys.argv[1]:<2} | {sys.argv[2]:>2} | {v:<8} | {d:>12} | {stored:>12,} | {trans:>13,} | {secs:>8}")' "$n" "$k"
done
