#!/usr/bin/env bash
# The MLP step (784-512-512-10, batch 256, forward + backward) against torch, alternating: each
# round runs ours (JMH MlpStepBench.step, one short fork) and torch (train_bench.py) back to back,
# who goes first alternating, so a load spike on this shared machine hits both sides of a round.
# Two configurations: 1 thread (OPENBLAS_NUM_THREADS=1 against torch 1:1) and the best 2-core one:
# the better of ours with 2 BLAS threads (step, OPENBLAS_NUM_THREADS=2) and ours data-parallel
# (stepDataParallel: two threads, half the batch each, one BLAS thread each) against the better of
# torch's 2:2 and 1:2, all in that round.
# Prints one RATIO line per configuration (ours / torch in samples/s; higher is better):
#   RATIO,h_mlp_step_1t,median,min,max,rounds,ours_ms=...,mllib_ms=...   (ms per step; peer = torch)
# Usage, from the repository root, after `mvn -B -q -DskipTests package -pl worker-engine,driver,benchmarks -am`,
# with ../shared beside it (torch: apt-get install python3-torch libopenblas0-pthread):
#   benchmarks/mlp_vs_torch.sh OUTDIR [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: benchmarks/mlp_vs_torch.sh OUTDIR [rounds]}
ROUNDS=${2:-5}
JAR=benchmarks/target/benchmarks.jar
PEERS=../shared/bench/torch
[[ -f $JAR ]] || { echo "error: $JAR not built (see the usage line)" >&2; exit 2; }
[[ -d $PEERS ]] || { echo "error: torch peer scripts not found at $PEERS" >&2; exit 2; }
PY=${PYTHON:-$([[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || echo python3)}
mkdir -p "$OUT/mlp_rounds"
ROUNDS_FILE=$OUT/mlp_rounds.txt
: > "$ROUNDS_FILE"

ours() { # blas-threads round [method] -> samples/s (median of the fork's 5 one-second iterations)
  local m=${3:-step} json=$OUT/mlp_rounds/ours_${3:-step}_${1}t_$2.json
  OPENBLAS_NUM_THREADS=$1 java -jar "$JAR" "MlpStepBench.$m\$" -p backend=netlib -f 1 -wi 3 -w 1 -i 5 -r 1 \
    -rf json -rff "$json" > "${json%.json}.txt" 2>&1
  "$PY" -c "import json,statistics,sys; d=json.load(open(sys.argv[1])); print(statistics.median(sum(d[0]['primaryMetric']['rawData'], [])))" "$json"
}
torch() { # configs round -> best samples/s over the configs
  local txt=$OUT/mlp_rounds/torch_${1//[:,]/_}_$2.txt
  OMP_WAIT_POLICY=PASSIVE "$PY" "$PEERS/train_bench.py" --configs "$1" --runs 5 > "$txt" 2>&1
  awk -F, '/^mlp784/ { if ($4 > best) best = $4 } END { if (best == "") exit 1; print best }' "$txt"
}

for r in $(seq 0 $((ROUNDS - 1))); do
  for cfg in "1 1:1" "2 2:2,1:2"; do
    set -- $cfg
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    extra=
    if (( r % 2 == 0 )); then o=$(ours "$1" "$r"); t=$(torch "$2" "$r"); else t=$(torch "$2" "$r"); o=$(ours "$1" "$r"); fi
    if [[ $1 == 2 ]]; then # the data-parallel 2-core configuration, right after
      dp=$(ours 1 "$r" stepDataParallel)
      extra=",blas2=$o,dataparallel=$dp"
      o=$(awk -v a="$o" -v b="$dp" 'BEGIN { print (a > b ? a : b) }')
    fi
    echo "MLPROUND,${1}t,$r,ours=$o,torch=$t,load=$load$extra" | tee -a "$ROUNDS_FILE"
  done
done
"$PY" - "$ROUNDS_FILE" <<'EOF'
import statistics, sys
rows = {}
for l in open(sys.argv[1]):
    f = l.strip().split(',')
    kv = dict(x.split('=', 1) for x in f[3:])
    rows.setdefault(f[1], []).append((float(kv['ours']), float(kv['torch'])))
for cfg, name in (('1t', 'h_mlp_step_1t'), ('2t', 'i_mlp_step_2core')):
    rs = rows.get(cfg, [])
    if not rs:
        continue
    ratios = [o / t for o, t in rs]
    ms = lambda s: 256 / s * 1000
    print('RATIO,%s,%.3f,%.3f,%.3f,%d,ours_ms=%.2f,mllib_ms=%.2f' % (
        name, statistics.median(ratios), min(ratios), max(ratios), len(ratios),
        ms(statistics.median(o for o, _ in rs)), ms(statistics.median(t for _, t in rs))))
EOF
