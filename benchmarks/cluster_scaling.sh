#!/usr/bin/env bash
# 2 executor JVMs against 1 (Spark local-cluster), alternating in one driver JVM: ClusterScaling.
# Usage, from the repository root, after `mvn -B -q -DskipTests package`:
#   benchmarks/cluster_scaling.sh [key=value ...]     (rows=16000 dim=256 model=mlp:512,512,10 rounds=3 ...)
# A standalone Worker starts executors from $SPARK_HOME/jars, so this makes a throw-away
# SPARK_HOME whose jars/ links to the Maven-resolved Spark jars (examples/target/spark-classpath.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
CP_FILE=examples/target/spark-classpath.txt
JAR=benchmarks/target/benchmarks.jar
for f in "$CP_FILE" "$JAR"; do
  [[ -f $f ]] || { echo "error: $f not built (mvn -B -q -DskipTests package)" >&2; exit 2; }
done
source conf/java17-add-opens.sh
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
mkdir -p "$HOME_DIR/jars"
IFS=: read -r -a CP <<< "$(cat "$CP_FILE")"
for j in "${CP[@]}"; do
  [[ $j == *.jar ]] && ln -sf "$j" "$HOME_DIR/jars/"
done
export SPARK_HOME=$HOME_DIR SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
exec java "${ADD_OPENS[@]}" -Xmx2g -Dsparkgrad.jars="$PWD/$JAR" -Dsparkgrad.executorJavaOptions="${ADD_OPENS[*]}" \
  -Dlog4j.configurationFile=${LOG4J:-conf/log4j2.properties} \
  -cp "$(cat "$CP_FILE"):$JAR" io.sparkgrad.bench.ClusterScaling "$@"
