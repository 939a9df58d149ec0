#!/usr/bin/env bash
# The sgemm target, alternating: the bundled OpenBLAS through netlib's JNIBLAS (MatmulBench backend
# bundled-1t, no copies) against the same library on off-heap buffers (openblas-1t-offheap), n=1024,
# one JMH fork per side per round, who goes first alternating, so a load spike on this shared machine
# hits both sides of a round. (run_all.sh's MatmulBench runs its backends one after another, minutes
# apart: on 2026-12-08 that gave 0.596 for the same library, and this alternation 0.916.)
# Prints a SGEMMROUND line per round and
#   RATIO,j_sgemm_bundled_vs_offheap,median,min,max,rounds,ours_ms=...,mllib_ms=...
# (the off-heap call's time over the bundled one's, higher is better; ms per GEMM, the peer off-heap).
# Usage, from the repository root, after `mvn -B -q -DskipTests package -pl worker-engine,driver,benchmarks -am`:
#   benchmarks/sgemm_ab.sh OUTDIR [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: benchmarks/sgemm_ab.sh OUTDIR [rounds]}
ROUNDS=${2:-3}
JAR=benchmarks/target/benchmarks.jar
PY=${PYTHON:-python3}
[[ -f $JAR ]] || { echo "error: $JAR not built (see the usage line)" >&2; exit 2; }
mkdir -p "$OUT/sgemm_rounds"

one() { # backend round -> ms per GEMM (median of the fork's measurement iterations)
  local json=$OUT/sgemm_rounds/$1_$2.json
  java -jar "$JAR" 'MatmulBench.sgemm$' -p n=1024 -p backend="$1" -f 1 -rf json -rff "$json" > "${json%.json}.txt" 2>&1
  "$PY" -c 'import json, statistics, sys; print(statistics.median(json.load(open(sys.argv[1]))[0]["primaryMetric"]["rawData"][0]))' "$json"
}

PAIRS=()
for r in $(seq 0 $((ROUNDS - 1))); do
  if (( r % 2 == 0 )); then b=$(one bundled-1t "$r"); o=$(one openblas-1t-offheap "$r")
  else o=$(one openblas-1t-offheap "$r"); b=$(one bundled-1t "$r"); fi
  echo "SGEMMROUND,$r,bundled_ms=$b,offheap_ms=$o,load=$(cut -d' ' -f1-3 /proc/loadavg)"
  PAIRS+=("$b $o")
done
printf '%s\n' "${PAIRS[@]}" | "$PY" -c '
import statistics, sys
b, o = zip(*([float(x) for x in l.split()] for l in sys.stdin))
r = [y / x for x, y in zip(b, o)]
print("RATIO,j_sgemm_bundled_vs_offheap,%.3f,%.3f,%.3f,%d,ours_ms=%.2f,mllib_ms=%.2f" % (
    statistics.median(r), min(r), max(r), len(r), statistics.median(b), statistics.median(o)))'
