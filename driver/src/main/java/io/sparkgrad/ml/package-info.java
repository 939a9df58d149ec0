/**
 * SparkGrad as a Spark ML stage: {@link io.sparkgrad.ml.SparkGradEstimator} trains a model with
 * {@link io.sparkgrad.spark.DataParallelTrainer} and returns a {@link io.sparkgrad.ml.SparkGradModel},
 * which scores DataFrames block by block, predicts single rows, and saves and loads through the
 * Hadoop FileSystem (JSON metadata in Spark's {@code DefaultParamsWriter} layout plus the parameters
 * in SparkGrad's checkpoint format), so both work inside {@code Pipeline}s, {@code PipelineModel}s
 * and {@code CrossValidator}.
 *
 * <pre>{@code
 * Pipeline p = new Pipeline().setStages(new PipelineStage[] {
 *     new VectorAssembler().setInputCols(cols).setOutputCol("features"),
 *     new SparkGradEstimator().setModel("mlp:32,2").setMaxIter(20).setStepSize(0.05)});
 * PipelineModel m = p.fit(train);
 * m.transform(test).select("prediction", "probability").show();
 * m.write().overwrite().save("hdfs:///models/cancer");
 * }</pre>
 */
package io.sparkgrad.ml;
