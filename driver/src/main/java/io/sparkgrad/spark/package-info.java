/**
 * Synchronous data-parallel training of worker-engine models on Apache Spark.
 *
 * <p>Lifecycle of a run ({@link io.sparkgrad.spark.DataParallelTrainer#fit}): the data is read once
 * ({@link io.sparkgrad.spark.DataLoader}, {@link io.sparkgrad.spark.TrainingData}), packed into
 * cached {@link io.sparkgrad.spark.DataBlock}s and validated once. Each step then broadcasts the
 * parameters as one flat buffer; every partition rebuilds the model from its
 * {@link io.sparkgrad.spark.ModelFactory} and computes {@code GradOperation(getByList=true)} of
 * its rows' weighted loss sum in micro-batches ({@link io.sparkgrad.spark.PartitionGradient}) into a
 * {@link io.sparkgrad.spark.GradientSum}, shipped as float32; {@link io.sparkgrad.spark.TreeReduce}'s fixed
 * order sums those in one job ({@link io.sparkgrad.spark.DistributedGradient}: on the driver as
 * results arrive, or, for large gradients, in partition groups on the executors whose sums are
 * combined chunk by chunk on the executors after one shuffle, {@link io.sparkgrad.spark.ChunkedCombine})
 * and the broadcast is destroyed; the driver applies the {@link io.sparkgrad.spark.Sens} scaling
 * (1/total weight by default) and the optional {@link io.sparkgrad.spark.L2Regularization} (together
 * the step function {@link io.sparkgrad.spark.LossFunction}), clips, and steps the optimizer. The
 * run's settings are one immutable {@link io.sparkgrad.spark.TrainerConfig}. Listeners
 * ({@link io.sparkgrad.spark.ProgressListener}) get each step, each epoch's
 * {@link io.sparkgrad.spark.EpochRecord} (train metrics from the steps' sums, validation from
 * {@link io.sparkgrad.spark.Evaluator}) and the end. Checkpoints ({@code checkpoint}) make a run resumable; the
 * {@code testing} package helps users test their own models in local mode.
 *
 * <p>Everything that crosses the wire is a flat primitive array in a registered class
 * ({@link io.sparkgrad.spark.SparkGradKryoRegistrator}); {@link io.sparkgrad.spark.KryoCheck}
 * verifies the configuration at start-up.
 */
package io.sparkgrad.spark;
