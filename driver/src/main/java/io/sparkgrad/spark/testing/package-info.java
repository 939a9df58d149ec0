/**
 * Test support for users who unit-test their own models in local mode: {@link
 * io.sparkgrad.spark.testing.LocalSpark} (a JUnit 5 extension giving a loopback local
 * SparkSession) and {@link io.sparkgrad.spark.testing.GradientAssertions} (an N-partition gradient
 * equals the single-process gradient).
 */
package io.sparkgrad.spark.testing;
