#!/usr/bin/env bash
# SparkGrad's entry point: builds what is missing or stale, then submits a job to Spark.
#
#   ./spark-submit.sh                                      train the default job (digits MLP, local[2])
#   ./spark-submit.sh --class io.sparkgrad.examples.autograd.MatMulGrad
#   ./spark-submit.sh --master spark://127.0.0.1:7077 --epochs 10
#   ./spark-submit.sh --conf spark.executor.memory=2g -- --data hdfs://nn/x.csv --header
#
# spark-submit's own options (--master, --class, --conf, --jars, --driver-memory, ...) pass
# through to it; every other argument, and everything after "--", goes to the application.
# With SPARK_HOME set, $SPARK_HOME/bin/spark-submit is used; otherwise the Spark that Maven
# resolved runs org.apache.spark.deploy.SparkSubmit directly, so a machine with only Java and
# Maven works. Spark logs go to stderr (conf/log4j2.properties); stdout is the job's.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="0.1.0-SNAPSHOT"
APP_JAR="$HERE/examples/target/sparkgrad-examples-$VERSION-app.jar"
CLASSPATH_FILE="$HERE/examples/target/spark-classpath.txt"
LOG_CONF="$HERE/conf/log4j2.properties"
DEFAULT_CLASS="io.sparkgrad.examples.Cli"

# One BLAS thread per task: Spark already runs one task per core (a native BLAS left at its
# default starts a thread per core for every call, and concurrent tasks then oversubscribe).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

# Loopback unless the caller says otherwise.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
DRIVER_HOST="${SPARKGRAD_DRIVER_HOST:-$SPARK_LOCAL_IP}"

# The flags Spark needs on Java 17.
# shellcheck source=conf/java17-add-opens.sh
source "$HERE/conf/java17-add-opens.sh"

# Build when the jar is missing, or when a source (anything under a module's src/main, or a
# pom.xml) is newer than it: after an edit or a git pull, the jar would be stale.
STALE=""
if [[ ! -f "$APP_JAR" || ! -f "$CLASSPATH_FILE" ]]; then
  STALE="the application jar is missing"
else
  NEWER="$(find "$HERE/pom.xml" "$HERE"/*/pom.xml "$HERE"/*/src/main -newer "$APP_JAR" -type f -print -quit 2>/dev/null || true)"
  if [[ -n "$NEWER" ]]; then
    STALE="${NEWER#"$HERE"/} is newer than the application jar"
  fi
fi
if [[ -n "$STALE" ]]; then
  echo "spark-submit.sh: $STALE; building SparkGrad (mvn -q -DskipTests package) ..." >&2
  (cd "$HERE" && mvn -q -B -DskipTests package) >&2
fi

# Split spark-submit options from application arguments.
SPARK_ARGS=()
APP_ARGS=()
CLASS="$DEFAULT_CLASS"
MASTER=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --)
      shift; APP_ARGS+=("$@"); break ;;
    --class)
      CLASS="$2"; shift 2 ;;
    --master)
      MASTER="$2"; shift 2 ;;
    --deploy-mode|--name|--jars|--packages|--exclude-packages|--repositories|--py-files|--files|--archives|\
    --conf|-c|--properties-file|--driver-memory|--driver-java-options|--driver-library-path|\
    --driver-class-path|--executor-memory|--proxy-user|--driver-cores|--total-executor-cores|\
    --executor-cores|--num-executors|--principal|--keytab|--queue)
      SPARK_ARGS+=("$1" "$2"); shift 2 ;;
    --verbose|-v)
      SPARK_ARGS+=("$1"); SPARKGRAD_VERBOSE=1; shift ;;
    --supervise)
      SPARK_ARGS+=("$1"); shift ;;
    *)
      APP_ARGS+=("$1"); shift ;;
  esac
done
MASTER="${MASTER:-local[2]}"

# Logging: conf/log4j2.properties reads these two; verbose shows Spark's task-failure logs.
LOG_OPTS=("-Dlog4j2.configurationFile=file:$LOG_CONF")
if [[ -n "${SPARKGRAD_VERBOSE:-}" && "${SPARKGRAD_VERBOSE}" != "0" ]]; then
  LOG_OPTS+=(-Dsparkgrad.taskLog=warn -Dsparkgrad.userErrorLog=NEUTRAL)
fi

# G1 regions for a local master, whose tasks run as threads of this driver JVM: G1 keeps an array
# of half a region or more ("humongous") in whole regions of its own, slower to allocate and to
# reclaim, and G1 gives a heap of up to 2 GB 1 MiB regions (spark-submit's default 1g driver among
# them) and one of up to 4 GB 2 MiB, so each 512 KiB activation of a 256 x 512 micro-batch would be
# humongous. The size SparkGradConf gives executors, on the same terms: not when a size is named in
# any option, nor for a heap of 8 GiB or more (-Xmx, --driver-memory, spark.driver.memory, or the
# default), where G1 picks 4 MiB or more itself (README, "Heap regions").
heap_mib() { # a JVM memory size (512m, 8g, 8G, 1t, bytes) -> MiB, 0 if unreadable
  local v=${1,,} n
  n=${v%[kmgt]}
  [[ $n =~ ^[0-9]+$ ]] || { echo 0; return; }
  case $v in
    *k) echo $((n / 1024)) ;; *m) echo "$n" ;; *g) echo $((n * 1024)) ;; *t) echo $((n * 1048576)) ;;
    *) echo $((n / 1048576)) ;;
  esac
}
DRIVER_HEAP_MIB=0
DRIVER_OPTS_TEXT="${SPARKGRAD_JAVA_OPTS:-} ${SPARK_ARGS[*]+"${SPARK_ARGS[*]}"}"
for w in ${SPARKGRAD_JAVA_OPTS:-}; do
  [[ $w == -Xmx* ]] && DRIVER_HEAP_MIB=$(heap_mib "${w#-Xmx}")
done
for ((i = 0; i + 1 < ${#SPARK_ARGS[@]}; i++)); do
  case "${SPARK_ARGS[i]}" in
    --driver-memory) DRIVER_HEAP_MIB=$(heap_mib "${SPARK_ARGS[i + 1]}") ;;
    --conf|-c) [[ ${SPARK_ARGS[i + 1]} == spark.driver.memory=* ]] \
                 && DRIVER_HEAP_MIB=$(heap_mib "${SPARK_ARGS[i + 1]#spark.driver.memory=}") ;;
  esac
done
if (( DRIVER_HEAP_MIB == 0 )); then # the default: Spark's 1g, or this JVM's (a quarter of the memory)
  if [[ -n "${SPARK_HOME:-}" ]]; then
    DRIVER_HEAP_MIB=1024
  else
    DRIVER_HEAP_MIB=$(awk '/^MemTotal:/ { print int($2 / 4096) }' /proc/meminfo 2>/dev/null || echo 0)
  fi
fi
DRIVER_GC_OPTS=()
if [[ $MASTER == local || $MASTER == local\[* ]] && [[ $DRIVER_OPTS_TEXT != *G1HeapRegionSize* ]] \
   && (( DRIVER_HEAP_MIB < 8192 )); then
  DRIVER_GC_OPTS=(-XX:G1HeapRegionSize=4m)
fi

COMMON=(
  --master "$MASTER"
  --class "$CLASS"
  --conf "spark.driver.host=$DRIVER_HOST"
  --conf "spark.driver.bindAddress=$SPARK_LOCAL_IP"
  --conf "spark.executorEnv.OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"
  --conf "spark.driver.extraJavaOptions=${LOG_OPTS[*]}${DRIVER_GC_OPTS[*]+ ${DRIVER_GC_OPTS[*]}} -Djava.awt.headless=true"
  --conf "spark.executor.extraJavaOptions=${LOG_OPTS[*]}"
)

if [[ -n "${SPARK_HOME:-}" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" "${COMMON[@]}" ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
    "$APP_JAR" ${APP_ARGS[@]+"${APP_ARGS[@]}"}
fi

exec java "${ADD_OPENS[@]}" "${LOG_OPTS[@]}" ${DRIVER_GC_OPTS[@]+"${DRIVER_GC_OPTS[@]}"} ${SPARKGRAD_JAVA_OPTS:-} \
  -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR" org.apache.spark.deploy.SparkSubmit \
  "${COMMON[@]}" ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} "$APP_JAR" ${APP_ARGS[@]+"${APP_ARGS[@]}"}
