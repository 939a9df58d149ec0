#!/usr/bin/env bash
# The driver JVM's heap during a 10M-parameter gradient pass, the driver alone (executors in their
# own JVMs on Spark local-cluster): DriverHeap. Prints HEAP,e_driver_heap_per_gradient,... (the
# multiple of the gradient's size; summarize.py reads it) between two ENV lines.
# Usage, from the repository root, after `mvn -B -q -DskipTests package`:
#   SPARKGRAD_JAVA_OPTS=-Xmx6g benchmarks/driver_heap.sh [key=value ...]    the figure
#   SPARKGRAD_JAVA_OPTS=-Xmx512m benchmarks/driver_heap.sh                  the no-OOM check
# Keys: heapParams=10000000 parts=8 depth=2 rounds=3 executors=2 executorMB=3072 gcEveryMs=20.
# The local-cluster set-up is benchmarks/local_cluster.sh's (driver heap -Xmx2g by default).
exec "$(dirname "$0")/local_cluster.sh" io.sparkgrad.bench.DriverHeap "$@"
