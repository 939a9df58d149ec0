/**
 * Benchmarks: JMH benchmarks of the engine's kernels and training step (run with
 * {@code java -jar benchmarks/target/benchmarks.jar}), and
 * {@link io.sparkgrad.bench.StepTiming}, a timing of one distributed gradient pass on Spark (run
 * through {@code spark-submit.sh}). Their results and commands are in {@code BENCHMARKS.md}.
 */
package io.sparkgrad.bench;
