/**
 * Small helpers over Hadoop's {@link org.apache.hadoop.fs.FileSystem} API shared by the checkpoint
 * store and the metrics writer: {@link io.sparkgrad.spark.io.HadoopFiles}, which writes a file
 * through a temporary sibling and a rename so that readers see either the old file or the new one,
 * and uses the raw local file system instead of the checksummed one.
 */
package io.sparkgrad.spark.io;
