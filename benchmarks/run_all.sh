#!/usr/bin/env bash
# Runs SparkGrad's JMH benchmarks and torch's peers one after another (never concurrently),
# logging the machine (CPU model, OPENBLAS_* settings) and the load average before each run.
# Usage, from the repository root, with ../shared beside it (torch's peer scripts):
#   mvn -B -q -DskipTests package -pl worker-engine,driver,benchmarks -am
#   benchmarks/run_all.sh OUTDIR
# torch: apt-get install python3-torch libopenblas0-pthread (without the second package torch
# runs the reference BLAS).
# The MLlib side-by-side (MllibSideBySide, one JVM, alternating) runs through ./spark-submit.sh
# (which needs the examples' application jar: mvn -B -q -DskipTests package). MLLIB_ARGS passes
# sizes (e.g. MLLIB_ARGS="rows=4000 dim=10 rounds=2" for a smoke run); ONLY=mllib runs only it and
# the driver heap. The driver heap (DriverHeap: the driver JVM alone, executors in their own JVMs on
# a local-cluster) runs through benchmarks/driver_heap.sh, at -Xmx6g for the figure and at -Xmx512m
# for the no-OOM check; HEAP_ARGS passes sizes (e.g. HEAP_ARGS="heapParams=100000" for a smoke run).
# ClusterScaling (2 executor JVMs against 1) runs through benchmarks/cluster_scaling.sh; CLUSTER_ARGS passes sizes.
# The MLP step against torch, alternating per round, runs through benchmarks/mlp_vs_torch.sh (MLP_ROUNDS rounds, 5 by default).
# The sgemm target (bundled OpenBLAS against the same library off-heap), alternating fork by fork, runs through benchmarks/sgemm_ab.sh.
# Then: python3 benchmarks/summarize.py --write BENCHMARKS.md OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: benchmarks/run_all.sh OUTDIR}
PEERS=../shared/bench/torch
JAR=benchmarks/target/benchmarks.jar
[[ -f $JAR ]] || { echo "error: $JAR not built (see the usage line)" >&2; exit 2; }
ONLY=${ONLY:-all}
[[ $ONLY == mllib || -d $PEERS ]] || { echo "error: torch peer scripts not found at $PEERS" >&2; exit 2; }
# Debian's python3-torch is in /usr/bin/python3's packages (a pyenv or venv python3 earlier on PATH lacks it).
PY=${PYTHON:-$([[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || echo python3)}
mkdir -p "$OUT"
J=(java -jar "$JAR")
# Each line: the time, the load average and, on a virtual machine, the share of CPU time the
# hypervisor gave other guests ("steal", /proc/stat) since the previous line: that is, during the
# benchmark the previous line names (measured 11% in one 10 s sample on the 2-vCPU machine of the
# 2026-12-08a run), which a load average does not show.
STEAL_PREV=
STEAL_TEXT=
steal() { # sets STEAL_TEXT from /proc/stat's cpu line (user nice system idle iowait irq softirq steal)
  local cpu u n s i w q sq st rest total
  STEAL_TEXT=
  read -r cpu u n s i w q sq st rest < /proc/stat 2>/dev/null || return 0
  total=$((u + n + s + i + w + q + sq + st))
  if [[ -n $STEAL_PREV ]]; then
    set -- $STEAL_PREV
    if (( total > $1 )); then
      STEAL_TEXT=$(awk -v t=$((total - $1)) -v s=$((st - $2)) 'BEGIN { printf " steal since the previous line: %.1f%%", 100 * s / t }')
    fi
  fi
  STEAL_PREV="$total $st"
}
log() {
  steal
  echo "=== $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)$STEAL_TEXT :: $*" | tee -a "$OUT/timeline.txt"
}
log "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
log "env OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
# Each figure's command, for BENCHMARKS.md (summarize.py --write reads commands.txt).
cmd() {
  local name=$1; shift
  local envs="SPARKGRAD_JAVA_OPTS=${SPARKGRAD_JAVA_OPTS:-}"
  [[ -n ${OPENBLAS_NUM_THREADS:-} ]] && envs+=" OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"
  [[ -n ${OMP_WAIT_POLICY:-} ]] && envs+=" OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
  echo "$name	$envs $*" >> "$OUT/commands.txt"; "$@"
}
MLLIB=(./spark-submit.sh --jars "$JAR" --class io.sparkgrad.bench.MllibSideBySide)
: > "$OUT/commands.txt"
# Without SPARK_HOME, spark-submit.sh runs the driver in its own java, whose heap SPARKGRAD_JAVA_OPTS sets.
log MllibSideBySide; SPARKGRAD_JAVA_OPTS=-Xmx6g cmd mllib "${MLLIB[@]}" -- ${MLLIB_ARGS:-} > "$OUT/mllib.txt" 2> "$OUT/mllib.err"
log DriverHeap; SPARKGRAD_JAVA_OPTS=-Xmx6g cmd heap benchmarks/driver_heap.sh ${HEAP_ARGS:-} > "$OUT/heap.txt" 2> "$OUT/heap.err" || echo "FAILED: exit $? (see heap.err)" >> "$OUT/heap.txt"
log DriverHeap at 512m; SPARKGRAD_JAVA_OPTS=-Xmx512m cmd heap512 benchmarks/driver_heap.sh ${HEAP_ARGS:-} > "$OUT/heap512.txt" 2> "$OUT/heap512.err" || echo "FAILED: exit $? (see heap512.err)" >> "$OUT/heap512.txt"
if [[ $ONLY == mllib ]]; then log done; exit 0; fi
log ClusterScaling; cmd cluster benchmarks/cluster_scaling.sh ${CLUSTER_ARGS:-} > "$OUT/cluster.txt" 2> "$OUT/cluster.err" || echo "FAILED: exit $? (see cluster.err)" >> "$OUT/cluster.txt"
"$PY" -c "import sys; sys.path.insert(0, '$PEERS'); import torch, blasinfo; torch.ones(8, 8) @ torch.ones(8, 8); print('torch blas:', blasinfo.describe())" > "$OUT/torch_blas.txt" 2>&1 || true
log MatmulBench;  "${J[@]}" MatmulBench -rf json -rff "$OUT/matmul.json" > "$OUT/matmul.txt" 2>&1
# The sgemm target's figure: bundled and off-heap alternating fork by fork (MatmulBench's are minutes apart).
log sgemm alternating; cmd sgemm_ab benchmarks/sgemm_ab.sh "$OUT" > "$OUT/sgemm_ab.txt" 2> "$OUT/sgemm_ab.err"
log torch gemm;   "$PY" "$PEERS/gemm_bench.py" --lib torch > "$OUT/torch_gemm.txt" 2>&1
# The MLP step per BLAS thread count (netlib's native OpenBLAS reads OPENBLAS_NUM_THREADS), then torch's.
log MlpStepBench 1 thread; OPENBLAS_NUM_THREADS=1 cmd mlp_1t "${J[@]}" MlpStepBench -p backend=netlib,bundled-1t,openblas-1t -rf json -rff "$OUT/mlp_1t.json" > "$OUT/mlp_1t.txt" 2>&1
log MlpStepBench 2 threads; OPENBLAS_NUM_THREADS=2 cmd mlp_2t "${J[@]}" MlpStepBench -e stepDataParallel -p backend=netlib,openblas-2t -rf json -rff "$OUT/mlp_2t.json" > "$OUT/mlp_2t.txt" 2>&1
log torch train;  OMP_WAIT_POLICY=PASSIVE cmd torch_train "$PY" "$PEERS/train_bench.py" --configs 1:1,1:2,2:2 > "$OUT/torch_train.txt" 2>&1
# The MLP targets' figures: ours and torch alternating round by round (the runs above are one after the other).
log MLP vs torch alternating; cmd mlp_vs_torch benchmarks/mlp_vs_torch.sh "$OUT" ${MLP_ROUNDS:-5} > "$OUT/mlp_vs_torch.txt" 2> "$OUT/mlp_vs_torch.err"
log TinyOpsBench; "${J[@]}" TinyOpsBench -rf json -rff "$OUT/tiny.json" > "$OUT/tiny.txt" 2>&1
log ElementwiseBench; "${J[@]}" ElementwiseBench -rf json -rff "$OUT/elementwise.json" > "$OUT/elementwise.txt" 2>&1
log torch tiny same chain; "$PY" benchmarks/torch/tiny_chain_same.py > "$OUT/torch_tiny_same.txt" 2>&1
log torch tiny;   "$PY" "$PEERS/tiny_ops_bench.py" > "$OUT/torch_tiny.txt" 2>&1
log done
