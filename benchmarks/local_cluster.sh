#!/usr/bin/env bash
# Runs a benchmark class whose Spark master is local-cluster[N,1,MB] (executors in their own JVMs;
# LocalCluster.java): the one place that sets such a run up, for cluster_scaling.sh and driver_heap.sh.
# Usage, from anywhere, after `mvn -B -q -DskipTests package`:
#   benchmarks/local_cluster.sh CLASS [key=value ...]
#   SPARKGRAD_JAVA_OPTS=-Xmx512m benchmarks/local_cluster.sh io.sparkgrad.bench.DriverHeap
# A standalone Worker starts executors from $SPARK_HOME/jars, so this makes a throw-away
# SPARK_HOME whose jars/ links to the Maven-resolved Spark jars (examples/target/spark-classpath.txt,
# which lists our driver and engine jars too). The driver JVM gets SPARKGRAD_JAVA_OPTS (default
# -Xmx2g) and the --add-opens list; the executors get the list (and SPARKGRAD_EXECUTOR_OPTS, e.g.
# -XX:G1HeapRegionSize=4m) through -Dsparkgrad.executorJavaOptions,
# the benchmarks jar through -Dsparkgrad.jars. LOG4J picks another log4j2 configuration.
set -euo pipefail
CLASS=${1:?usage: benchmarks/local_cluster.sh CLASS [key=value ...]}
shift
cd "$(dirname "$0")/.."
source benchmarks/built.sh
source conf/java17-add-opens.sh
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
mkdir -p "$HOME_DIR/jars"
IFS=: read -r -a CP <<< "$(cat "$CP_FILE")"
for j in "${CP[@]}"; do
  [[ $j == *.jar ]] && ln -sf "$j" "$HOME_DIR/jars/"
done
export SPARK_HOME=$HOME_DIR SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
# not exec: the trap removes the throw-away SPARK_HOME when java ends
# shellcheck disable=SC2086
java "${ADD_OPENS[@]}" ${SPARKGRAD_JAVA_OPTS:--Xmx2g} -Dsparkgrad.jars="$PWD/$JAR" \
  -Dsparkgrad.executorJavaOptions="${ADD_OPENS[*]} ${SPARKGRAD_EXECUTOR_OPTS:-}" \
  -Dlog4j.configurationFile=${LOG4J:-conf/log4j2.properties} \
  -cp "$(cat "$CP_FILE"):$JAR" "$CLASS" "$@"
