/**
 * Training metrics: {@link io.sparkgrad.spark.metrics.MetricsRow}, one row per step, and
 * {@link io.sparkgrad.spark.metrics.MetricsWriter}, which appends rows to a CSV on any Hadoop file
 * system and renders a loss-curve PNG with plain Java2D (headless).
 */
package io.sparkgrad.spark.metrics;
