#!/usr/bin/env bash
# Side-by-side: SPIN on the peer Promela model (pagecache.pml, given as PML) against ModelCheck's exhaustive engine
# on scenarios/bench/*.yaml (the same processes, one step per Promela statement), one after the other
# on this machine. Prints a table and, last, the ratios ModelCheck/SPIN: states per second on NF=3
# (both without reduction, one core) and time to a complete search with reduction (NF=4 with
# --full, else NF=3; ModelCheck on two workers, SPIN's pan on its one core).
# Seconds are wall clock for both: pan's run (its compile excluded), and ModelCheck's whole process
# (.NET start-up, scenario loading and JIT included), so ModelCheck's figures are on the safe side.
# Usage: bench/spin-compare.sh PML [--full|--all]   (--full adds the NF=4 configs, about three minutes
# more, the NF=4 runs with reduction being the median of three runs each; --all also runs NF=4 NW=3,
# bench-spin-c, about three minutes and 12 GB more)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PML="${1:-}"
FULL="${2:-}"
if [ -z "$PML" ] || [ ! -f "$PML" ]; then
  echo "spin-compare.sh: the peer model is missing: give the path of pagecache.pml (the SPIN model of the peer baseline) as the first argument${PML:+ (not found: $PML)}" >&2
  echo "usage: bench/spin-compare.sh PML [--full|--all]" >&2
  exit 2
fi
PML=$(realpath "$PML")
if ! command -v spin >/dev/null; then
  (apt-get install -y spin || (apt-get update && apt-get install -y spin)) >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  (apt-get install -y time || (apt-get update && apt-get install -y time)) >/dev/null
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dotnet build "$ROOT/src/Cli" -c Release -v q -nologo >/dev/null
MC="dotnet $ROOT/src/Cli/bin/Release/net10.0/modelcheck.dll"

rows=()
# -> "states transitions seconds mem_mb"
# run_spin DEFINES PANFLAGS CCFLAGS [PML [SPINOPTS]]
run_spin() {
  local defines="$1" panflags="$2" ccflags="$3" pml="${4:-$PML}" spinopts="${5:-}"
  (cd "$WORK" && rm -f pan* && spin -a $spinopts $defines "$pml" >/dev/null && gcc -O2 -w -DSAFETY $ccflags -o pan pan.c)
  local out
  out=$(cd "$WORK" && /usr/bin/time -v ./pan $panflags 2>"$WORK/time.txt" || true)
  local states trans secs mem
  states=$(echo "$out" | awk '/states, stored/ {printf "%.0f", $1; exit}') # pan prints 1.2e+08 past 10^8
  trans=$(echo "$out" | awk '/transitions \(= stored\+matched\)/ {printf "%.0f", $1; exit}')
  [ -z "$trans" ] && trans=$(echo "$out" | awk '/states, matched/ {m=$1} /states, stored/ {s=$1} END {print s+m}')
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  mem=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/time.txt")
  echo "$states $trans $secs $mem"
}
# run_mc SCENARIO VARIANT [--no-por] [--workers N] -> "states transitions seconds mem_mb verdict"
run_mc() {
  local json
  json=$(/usr/bin/time -v $MC check "$ROOT/scenarios/bench/$1.yaml" --variant "$2" "${@:3}" --json --trace-out "$WORK/mc.json" 2>"$WORK/time.txt" || true)
  local mem secs
  mem=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/time.txt")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['states'], d['transitions'], '$secs', '$mem', d['verdict'])"
}
# median3 CMD...: runs a run_spin/run_mc command three times, prints the run with the median seconds
median3() {
  local runs=()
  for _ in 1 2 3; do runs+=("$("$@")"); done
  printf '%s\n' "${runs[@]}" | sort -k3 -g | sed -n 2p
}
row() { printf '| %-24s | %-44s | %12s | %13s | %8s | %10s | %8s |\n' "$@"; }
row config run states transitions seconds "states/s" "mem MB"
row ------------------------ -------------------------------------------- ------------ ------------- -------- ---------- --------
# the peer model with SPIN's state counting aligned to ModelCheck's (bench/spin-align.py)
ALIGNED="$WORK/pagecache-aligned.pml"
python3 "$ROOT/bench/spin-align.py" "$PML" "$ALIGNED"
xval=()
cross() { # config spin_states spin_transitions mc_states mc_transitions
  local verdict=differs
  # SPIN's transitions are stored+matched, which counts the initial state once more than ModelCheck's edges
  [ "$2" = "$4" ] && [ "$3" = "$(( $5 + 1 ))" ] && verdict=exact
  xval+=("cross_validation $1: SPIN aligned $2 states $3 transitions; ModelCheck $4 states $5 transitions: $verdict")
}
report() { # config run states trans secs mem
  local sps; sps=$(python3 -c "print(int($3/max($5,0.001)))")
  row "$1" "$2" "$3" "$4" "$5" "$sps" "$6"
}
A_DEF="-DFIX=1 -DNF=3 -DNW=2 -DASYNC=1"
read -r s t e m < <(run_spin "$A_DEF" "-m1000000 -w26" "")
report "NF=3 NW=2 ASYNC=1 FIX=1" "SPIN POR (DFS)" "$s" "$t" "$e" "$m"; spin_por_s=$s; spin_por_e=$e
read -r s t e m < <(run_spin "$A_DEF" "-m1000000 -w27" "-DNOREDUCE")
report "NF=3 NW=2 ASYNC=1 FIX=1" "SPIN no POR" "$s" "$t" "$e" "$m"; spin_nr_s=$s; spin_nr_e=$e
read -r s t e m < <(run_spin "$A_DEF" "-m1000000 -w27" "-DNOREDUCE" "$ALIGNED" "-o1 -o2 -o3")
report "NF=3 NW=2 ASYNC=1 FIX=1" "SPIN no POR, aligned model, -o1 -o2 -o3" "$s" "$t" "$e" "$m"; al_s=$s; al_t=$t
read -r s t e m v < <(run_mc bench-spin-a BenchFix=on --no-por)
report "NF=3 NW=2 ASYNC=1 FIX=1" "ModelCheck no POR ($v)" "$s" "$t" "$e" "$m"; mc_s=$s; mc_e=$e
cross "NF=3" "$al_s" "$al_t" "$s" "$t"
read -r s t e m v < <(run_mc bench-spin-a BenchFix=on)
report "NF=3 NW=2 ASYNC=1 FIX=1" "ModelCheck POR ($v)" "$s" "$t" "$e" "$m"
read -r s t e m v < <(run_mc bench-spin-a BenchFix=on --workers 2)
report "NF=3 NW=2 ASYNC=1 FIX=1" "ModelCheck POR 2 workers ($v)" "$s" "$t" "$e" "$m"; mc_por_e=$e
read -r s t e m < <(run_spin "-DFIX=0 -DNF=4 -DNW=2 -DASYNC=1" "-w26" "-DBFS")
report "NF=4 NW=2 ASYNC=1 FIX=0" "SPIN BFS first violation" "$s" "$t" "$e" "$m"
read -r s t e m v < <(run_mc bench-spin-b-bug BenchFix=off)
report "NF=4 NW=2 ASYNC=1 FIX=0" "ModelCheck BFS ($v)" "$s" "$t" "$e" "$m"
read -r s t e m v < <(run_mc bench-spin-b-bug BenchFix=off --workers 2)
report "NF=4 NW=2 ASYNC=1 FIX=0" "ModelCheck BFS 2 workers ($v)" "$s" "$t" "$e" "$m"
if [ "$FULL" = "--full" ] || [ "$FULL" = "--all" ]; then
  read -r s t e m < <(run_spin "-DFIX=1 -DNF=4 -DNW=2 -DASYNC=1" "-m1000000 -w28" "-DNOREDUCE" "$ALIGNED" "-o1 -o2 -o3")
  report "NF=4 NW=2 ASYNC=1 FIX=1" "SPIN no POR, aligned model, -o1 -o2 -o3" "$s" "$t" "$e" "$m"; al_s=$s; al_t=$t
  read -r s t e m v < <(run_mc bench-spin-b BenchFix=on --no-por --workers 2)
  report "NF=4 NW=2 ASYNC=1 FIX=1" "ModelCheck no POR 2 workers ($v)" "$s" "$t" "$e" "$m"
  cross "NF=4" "$al_s" "$al_t" "$s" "$t"
  # the time-to-complete pair: the median of three runs each, these machines being noisy
  read -r s t e m < <(median3 run_spin "-DFIX=1 -DNF=4 -DNW=2 -DASYNC=1" "-m1000000 -w26" "")
  report "NF=4 NW=2 ASYNC=1 FIX=1" "SPIN POR (DFS), median of 3" "$s" "$t" "$e" "$m"; spin_por_e=$e; cfg="NF=4"
  read -r s t e m v < <(median3 run_mc bench-spin-b BenchFix=on)
  report "NF=4 NW=2 ASYNC=1 FIX=1" "ModelCheck POR ($v), median of 3" "$s" "$t" "$e" "$m"
  read -r s t e m v < <(median3 run_mc bench-spin-b BenchFix=on --workers 2)
  report "NF=4 NW=2 ASYNC=1 FIX=1" "ModelCheck POR 2 workers ($v), median of 3" "$s" "$t" "$e" "$m"; mc_por_e=$e
else
  cfg="NF=3"
fi
if [ "$FULL" = "--all" ]; then
  # a third writer (bench-spin-c): SPIN needs about 12 GB and two minutes here
  read -r s t e m < <(run_spin "-DFIX=1 -DNF=4 -DNW=3 -DASYNC=1" "-m1000000 -w28" "")
  report "NF=4 NW=3 ASYNC=1 FIX=1" "SPIN POR (DFS)" "$s" "$t" "$e" "$m"
  read -r s t e m v < <(run_mc bench-spin-c BenchFix=on --workers 2)
  report "NF=4 NW=3 ASYNC=1 FIX=1" "ModelCheck POR 2 workers ($v)" "$s" "$t" "$e" "$m"
fi
printf '%s\n' "${xval[@]}"
echo "time to complete compared on $cfg"
# states/s: both without reduction, one core; time to complete: both with their partial-order
# reduction, ModelCheck on two workers (SPIN's pan runs on one core)
python3 - "$mc_s" "$mc_e" "$spin_nr_s" "$spin_nr_e" "$spin_por_e" "$mc_por_e" <<'PY'
import sys
mc_s, mc_e, nr_s, nr_e, por_e, mc_por_e = map(float, sys.argv[1:])
print(f"ratio_states_per_s={ (mc_s/mc_e) / (nr_s/nr_e):.3f} ratio_time_to_complete={ mc_por_e/por_e:.3f}")
PY
