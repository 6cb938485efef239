#!/usr/bin/env bash
# Runs a sharded random-engine search as N local background jobs, then merges them: the same
# commands a CI matrix (github-actions.yml) or a Kubernetes Indexed Job (k8s-indexed-job.yaml) runs,
# one shard per job. Usage:
#   examples/scale-out/local.sh SCENARIO VARIANT ENGINE ITERATIONS SEED N [OUT_DIR]
# e.g. examples/scale-out/local.sh db-redirty DropbehindRecheck=off coyote 100000 1 8
# Exit code: merge's (0 holds, 1 violated, 2 bad input).
set -uo pipefail
cd "$(dirname "$0")/../.."
SCENARIO=$1 VARIANT=$2 ENGINE=$3 ITERATIONS=$4 SEED=$5 N=$6 OUT=${7:-out/shards}
MC=${MC:-"dotnet run --project src/Cli --no-build --"}
mkdir -p "$OUT"
pids=()
for k in $(seq 1 "$N"); do
  $MC check "$SCENARIO" --variant "$VARIANT" --engine "$ENGINE" --iterations "$ITERATIONS" --seed "$SEED" \
      --shard "$k/$N" --json -q --trace-out "$OUT/shard-$k.trace.json" > "$OUT/shard-$k.json" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
$MC merge "$OUT"/shard-*[0-9].json --out "$OUT/merged"
