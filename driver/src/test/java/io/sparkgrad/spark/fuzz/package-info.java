/**
 * Test support for the seeded mutation fuzz tests of the readers (CSV, LIBSVM) and the checkpoint
 * decoder: {@link io.sparkgrad.spark.fuzz.Mutator} and {@link io.sparkgrad.spark.fuzz.FuzzBudget}.
 * See {@code docs/TESTING.md} for the longer runs.
 */
package io.sparkgrad.spark.fuzz;
