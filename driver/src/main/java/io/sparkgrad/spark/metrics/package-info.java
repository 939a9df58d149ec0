/**
 * Training metrics: {@link io.sparkgrad.spark.metrics.MetricsRow}, one row per step;
 * {@link io.sparkgrad.spark.metrics.MetricsWriter}, which appends rows to a CSV on any Hadoop file
 * system and writes the loss-curve PNG; and {@link io.sparkgrad.spark.metrics.LossChart}, which
 * draws that curve with XChart, off screen.
 */
package io.sparkgrad.spark.metrics;
