/**
 * Training checkpoints: {@link io.sparkgrad.spark.checkpoint.Checkpoint}, an immutable snapshot
 * of step, epoch, seed, model description, parameter names, shapes and values and optimizer state;
 * {@link io.sparkgrad.spark.checkpoint.CheckpointCodec}, their binary format; and
 * {@link io.sparkgrad.spark.checkpoint.CheckpointStore}, which writes them atomically to a
 * directory on any Hadoop file system in a versioned, checksummed binary format (see
 * {@code docs/CHECKPOINT_FORMAT.md}) and finds the newest valid one to resume from.
 */
package io.sparkgrad.spark.checkpoint;
