#!/usr/bin/env bash
# A Spark standalone cluster on this machine, on loopback only, from the Spark jars Maven resolved:
# one Master and one Worker, each its own JVM; the Worker starts executor JVMs for each job.
#
#   scripts/standalone-cluster.sh start      # Master on spark://127.0.0.1:7077, a Worker with 2 cores
#   ./spark-submit.sh --master spark://127.0.0.1:7077
#   scripts/standalone-cluster.sh stop
#
# Settings (environment): SPARKGRAD_MASTER_PORT (7077), SPARKGRAD_WORKER_CORES (2),
# SPARKGRAD_WORKER_MEMORY (2g), SPARKGRAD_CLUSTER_DIR (target/standalone: logs, pids, work dirs).
# With a real Spark installation, $SPARK_HOME/sbin/start-master.sh and start-worker.sh do the same.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLASSPATH_FILE="$HERE/examples/target/spark-classpath.txt"
DIR="${SPARKGRAD_CLUSTER_DIR:-$HERE/target/standalone}"
PORT="${SPARKGRAD_MASTER_PORT:-7077}"
CORES="${SPARKGRAD_WORKER_CORES:-2}"
MEMORY="${SPARKGRAD_WORKER_MEMORY:-2g}"
HOST=127.0.0.1
export SPARK_LOCAL_IP=$HOST
export SPARK_SCALA_VERSION=2.13
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"  # executors inherit it: one BLAS thread per task

# shellcheck source=../conf/java17-add-opens.sh
source "$HERE/conf/java17-add-opens.sh"

# A SPARK_HOME for the Worker: it builds executor command lines from $SPARK_HOME/jars.
make_spark_home() {
  local home="$DIR/spark-home"
  rm -rf "$home" && mkdir -p "$home/jars" "$home/conf"
  tr ':' '\n' < "$CLASSPATH_FILE" | while read -r jar; do
    [[ "$jar" == *.jar ]] && ln -sf "$jar" "$home/jars/$(basename "$jar")"
  done
  cp "$HERE/conf/log4j2.properties" "$home/conf/log4j2.properties"
  echo "$home"
}

# The daemons log at INFO to their own files (start-up waits for their "registered" lines).
daemon_log_conf() {
  sed -e 's/^rootLogger.level = warn/rootLogger.level = info/' "$HERE/conf/log4j2.properties" > "$DIR/daemon-log4j2.properties"
  echo "file:$DIR/daemon-log4j2.properties"
}

start() {
  if [[ ! -f "$CLASSPATH_FILE" ]]; then
    (cd "$HERE" && mvn -q -B -DskipTests package) >&2
  fi
  mkdir -p "$DIR"
  export SPARK_HOME; SPARK_HOME="$(make_spark_home)"
  local cp; cp="$(cat "$CLASSPATH_FILE")"
  local logconf; logconf="$(daemon_log_conf)"
  nohup java "${ADD_OPENS[@]}" -Dlog4j2.configurationFile="$logconf" -cp "$cp" \
    org.apache.spark.deploy.master.Master --host $HOST --port "$PORT" --webui-port 0 \
    > "$DIR/master.log" 2>&1 &
  echo $! > "$DIR/master.pid"
  for _ in $(seq 1 60); do
    grep -q "I have been elected leader" "$DIR/master.log" 2>/dev/null && break
    sleep 0.5
  done
  nohup java "${ADD_OPENS[@]}" -Dlog4j2.configurationFile="$logconf" -cp "$cp" \
    org.apache.spark.deploy.worker.Worker --host $HOST --cores "$CORES" --memory "$MEMORY" --webui-port 0 \
    --work-dir "$DIR/work" "spark://$HOST:$PORT" > "$DIR/worker.log" 2>&1 &
  echo $! > "$DIR/worker.pid"
  for _ in $(seq 1 60); do
    grep -q "Successfully registered with master" "$DIR/worker.log" 2>/dev/null && break
    sleep 0.5
  done
  if ! grep -q "Successfully registered with master" "$DIR/worker.log"; then
    echo "standalone-cluster: the worker did not register; see $DIR/worker.log and $DIR/master.log" >&2
    stop; exit 1
  fi
  echo "spark://$HOST:$PORT"
}

stop() {
  for role in worker master; do
    if [[ -f "$DIR/$role.pid" ]]; then
      kill "$(cat "$DIR/$role.pid")" 2>/dev/null || true
      rm -f "$DIR/$role.pid"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
