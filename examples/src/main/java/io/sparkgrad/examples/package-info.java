/**
 * Training jobs on real data: {@link io.sparkgrad.examples.Train}, the command-line job that
 * {@code ./spark-submit.sh} runs by default (an MLP on the bundled digits data set), and the
 * worked examples. The seed notebooks' ports are in {@code io.sparkgrad.examples.autograd}.
 */
package io.sparkgrad.examples;
