#!/usr/bin/env bash
# 2 executor JVMs against 1 (Spark local-cluster), alternating in one driver JVM: ClusterScaling.
# Usage, from the repository root, after `mvn -B -q -DskipTests package`:
#   benchmarks/cluster_scaling.sh [key=value ...]     (rows=16000 dim=256 model=mlp:512,512,10 rounds=3 ...)
# The local-cluster set-up (a throw-away SPARK_HOME, the driver's -Xmx2g unless SPARKGRAD_JAVA_OPTS
# says otherwise, LOG4J for a task-level log) is benchmarks/local_cluster.sh's.
exec "$(dirname "$0")/local_cluster.sh" io.sparkgrad.bench.ClusterScaling "$@"
