#!/usr/bin/env bash
# 2 executor JVMs against 1 (Spark local-cluster), alternating in one driver JVM: ClusterScaling.
# First the machine's ceiling for the same work (EngineCeiling): the same partitions' gradients in
# plain JVMs with no Spark, one process with all of them, then two at once with half each, for
# CEILING_ROUNDS rounds (3; who goes first alternates), each JVM with the executors' heap and
# G1 regions. Prints RATIO,f_ceiling_two_processes_vs_one,... (one's time per pass over the
# slower of the two's; ours_ms = the pair, mllib_ms = one), then ClusterScaling's lines.
# CEILING_ROUNDS=0 runs ClusterScaling alone.
# Usage, from the repository root, after `mvn -B -q -DskipTests package`:
#   benchmarks/cluster_scaling.sh [key=value ...]     (rows=64000 dim=256 model=mlp:512,512,10 rounds=3 ...)
# Each session warms up, then runs passes until its executors' JIT compilers settle (settle=120 passes
# at most, jitShare=0.02; see ClusterScaling), then measures: about 20 minutes with the ceiling.
# The local-cluster set-up (a throw-away SPARK_HOME, the driver's -Xmx2g unless SPARKGRAD_JAVA_OPTS
# says otherwise, LOG4J for a task-level log) is benchmarks/local_cluster.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/built.sh
ceiling() { # share key=value... -> ms per pass
  OPENBLAS_NUM_THREADS=1 java -Xmx1g -XX:G1HeapRegionSize=4m -cp "$(cat "$CP_FILE"):$JAR" \
    io.sparkgrad.bench.EngineCeiling "${@:2}" "share=$1" | awk -F, '/^CEILING_MS,/ { print $2 }'
}
pair() { # key=value... -> the slower of two processes' ms per pass
  local a b
  a=$(mktemp) b=$(mktemp)
  ceiling 0/2 "$@" > "$a" & ceiling 1/2 "$@" > "$b"
  wait
  sort -n "$a" "$b" | tail -1
  rm -f "$a" "$b"
}
RATIOS=()
for r in $(seq 0 $((${CEILING_ROUNDS:-3} - 1))); do
  if (( r % 2 == 0 )); then one=$(ceiling 0/1 "$@"); two=$(pair "$@"); else two=$(pair "$@"); one=$(ceiling 0/1 "$@"); fi
  echo "CEILING_ROUND,$r,two_ms=$two,one_ms=$one,load=$(cut -d' ' -f1-3 /proc/loadavg)"
  RATIOS+=("$one $two")
done
if (( ${#RATIOS[@]} > 0 )); then # CEILING_ROUNDS=0 skips the ceiling
  printf '%s\n' "${RATIOS[@]}" | "${PYTHON:-python3}" -c '
import statistics, sys
one, two = zip(*([float(x) for x in l.split()] for l in sys.stdin))
r = [a / b for a, b in zip(one, two)]
print("RATIO,f_ceiling_two_processes_vs_one,%.3f,%.3f,%.3f,%d,ours_ms=%.1f,mllib_ms=%.1f" % (
    statistics.median(r), min(r), max(r), len(r), statistics.median(two), statistics.median(one)))'
fi
exec benchmarks/local_cluster.sh io.sparkgrad.bench.ClusterScaling "$@"
