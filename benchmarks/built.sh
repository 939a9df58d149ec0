# Sourced from the repository root by the benchmark scripts that start JVMs on Spark's classpath:
# sets CP_FILE (the Maven-resolved Spark classpath, which lists our driver and engine jars too) and
# JAR (the benchmarks jar), and exits 2 with one line if either is not built.
CP_FILE=examples/target/spark-classpath.txt
JAR=benchmarks/target/benchmarks.jar
for f in "$CP_FILE" "$JAR"; do
  [[ -f $f ]] || { echo "error: $f not built (mvn -B -q -DskipTests package)" >&2; exit 2; }
done
