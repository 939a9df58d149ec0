package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.nn.Adam;
import io.sparkgrad.spark.checkpoint.CheckpointStore;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@LocalSpark(master = "local[2]")
class TrainerTest {
    static final int DIM = DistributedGradientTest.DIM;
    static final ModelSpec MLP = DistributedGradientTest.MLP;

    static TrainingData data(SparkSession spark, List<Sample> rows, int partitions) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return TrainingData.fromRdd(sc.parallelize(rows, partitions), DIM);
    }

    static TrainerBuilder trainer(ModelFactory f, LossKind loss) {
        return DataParallelTrainer.builder(f, loss, p -> Adam.builder(p, 0.05).build())
                .batchSize(40).epochs(3).microBatch(16).seed(7);
    }

    @Test
    void trainingReducesTheLossAndTwoRunsAreBitwiseIdentical(SparkSession spark) {
        List<Sample> rows = DistributedGradientTest.rows(200, 3, false, 3);
        DataParallelTrainer.Result a = trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, rows, 3));
        DataParallelTrainer.Result b = trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, rows, 3));
        assertEquals(15, a.history().size()); // 200 rows / 40 per step = 5 steps per epoch, 3 epochs
        assertArrayEquals(a.flatParameters(), b.flatParameters());
        double first = a.history().get(0).loss();
        double last = a.history().get(a.history().size() - 1).loss();
        assertTrue(last < 0.8 * first, "loss went from " + first + " to " + last);
        assertNotEquals(0, Float.compare(a.flatParameters()[0], MLP.create().trainableParamTuple().flatten()[0]));
        // each epoch used every row once
        long perEpoch = 0;
        for (int i = 0; i < 5; i++) {
            perEpoch += a.history().get(i).samples();
        }
        assertEquals(200, perEpoch);
    }

    @Test
    void resumingFromACheckpointReachesTheSameParametersAsAnUninterruptedRun(SparkSession spark, @TempDir Path tmp)
            throws Exception {
        List<Sample> rows = DistributedGradientTest.rows(200, 4, true, 3);
        String whole = tmp.resolve("whole").toUri().toString();
        String broken = tmp.resolve("broken").toUri().toString();
        DataParallelTrainer.Result uninterrupted = trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY)
                .checkpoints(whole, 4).build().fit(spark, data(spark, rows, 3));

        // the second run dies in step 7: every attempt of a task fails, so the job and fit() fail
        TaskHook crash = (partition, step, attempt) -> {
            if (step == 7) {
                throw new IllegalStateException("simulated crash in step 7");
            }
        };
        Exception e = assertThrows(Exception.class, () -> trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY)
                .checkpoints(broken, 4).taskHook(crash).listener(metrics(tmp)).build().fit(spark, data(spark, rows, 3)));
        assertTrue(String.valueOf(e.getMessage()).contains("simulated crash"), e.toString());
        DataParallelTrainer.Result resumed = trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY)
                .checkpoints(broken, 4).resume(true).listener(metrics(tmp)).build().fit(spark, data(spark, rows, 3));
        assertEquals(15 - 4, resumed.history().size()); // it restarted after the checkpoint of step 4
        assertEquals(5, resumed.history().get(0).step());
        assertArrayEquals(uninterrupted.flatParameters(), resumed.flatParameters());
        assertEquals(uninterrupted.optimizer().stepCount(), resumed.optimizer().stepCount());
        // the metrics of steps 5 and 6, written before the crash, were replaced, not repeated
        List<String> csv = Files.readAllLines(tmp.resolve("metrics.csv"));
        assertEquals(1 + 15, csv.size(), String.join("\n", csv));
        for (int i = 1; i <= 15; i++) {
            assertTrue(csv.get(i).startsWith(i + ","), csv.get(i));
        }
    }

    private static MetricsListener metrics(Path dir) {
        return new MetricsListener(dir.resolve("metrics.csv").toUri().toString(), dir.resolve("loss.png").toUri().toString(),
                new org.apache.hadoop.conf.Configuration());
    }

    @Test
    void aNonFiniteStepIsSkippedAndNamesItsPartitionAndRow(SparkSession spark, @TempDir Path tmp) throws Exception {
        ModelSpec reg = ModelSpec.parse("mlp:4,1", DIM, 1, 5);
        List<Sample> rows = new ArrayList<>(DistributedGradientTest.rows(40, 6, false, 2));
        String dir = tmp.resolve("ckpt").toUri().toString();
        // a clean run leaves a checkpoint at step 2
        DataParallelTrainer.Result clean = DataParallelTrainer.builder(reg, LossKind.MSE, p -> Adam.builder(p, 0.01).build())
                .steps(2).seed(7).checkpoints(dir, 1).build().fit(spark, data(spark, rows, 2));
        // row 25 (partition 1, its row 5) gets a finite label whose squared error overflows float32
        rows.set(25, new Sample(rows.get(25).features(), 1e30f));
        NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () ->
                DataParallelTrainer.builder(reg, LossKind.MSE, p -> Adam.builder(p, 0.01).build())
                        .steps(6).seed(7).checkpoints(dir, 1).resume(true).maxSkippedSteps(2)
                        .build().fit(spark, data(spark, rows, 2)));
        assertTrue(e.getMessage().contains("partition 1, row 5 (non-finite loss)"), e.getMessage());
        // the checkpoint of the last good step is still the latest, and it holds the clean run's parameters
        CheckpointStore store = new CheckpointStore(dir);
        assertEquals(2, store.latest().orElseThrow().step());
        assertArrayEquals(clean.flatParameters(), store.latest().orElseThrow().values());
    }

    @Test
    void aStepWithABadRowIsSkippedAndTrainingGoesOn(SparkSession spark) {
        ModelSpec reg = ModelSpec.parse("mlp:4,1", DIM, 1, 5);
        List<Sample> rows = new ArrayList<>(DistributedGradientTest.rows(40, 6, false, 2));
        rows.set(3, new Sample(rows.get(3).features(), 1e30f));
        List<StepRecord> seen = new ArrayList<>();
        DataParallelTrainer.Result r = DataParallelTrainer.builder(reg, LossKind.MSE, p -> Adam.builder(p, 0.01).build())
                .batchSize(10).epochs(1).shuffle(false).seed(7).listener((s, eta) -> seen.add(s))
                .build().fit(spark, data(spark, rows, 1));
        assertEquals(4, seen.size());
        assertTrue(seen.get(0).skipped());
        assertEquals("non-finite loss Infinity at partition 0, row 3 (non-finite loss)", seen.get(0).problem());
        for (int i = 1; i < 4; i++) {
            assertFalse(seen.get(i).skipped(), "step " + (i + 1));
        }
        assertEquals(3, r.optimizer().stepCount());
    }

    @Test
    void badDataIsReportedBeforeTrainingWithPartitionAndRow(SparkSession spark) {
        List<Sample> rows = new ArrayList<>(DistributedGradientTest.rows(30, 8, false, 3));
        rows.set(17, new Sample(rows.get(17).features(), 7f));
        BadDataException label = assertThrows(BadDataException.class,
                () -> trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, rows, 2)));
        assertTrue(label.getMessage().contains("partition 1, row 2: label 7.0 is not a class index in [0, 3)"),
                label.getMessage());

        List<Sample> nan = new ArrayList<>(DistributedGradientTest.rows(30, 8, false, 3));
        float[] x = nan.get(4).features().clone();
        x[2] = Float.NaN;
        nan.set(4, new Sample(x, 1));
        BadDataException feat = assertThrows(BadDataException.class,
                () -> trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, nan, 2)));
        assertTrue(feat.getMessage().contains("partition 0, row 4, feature 2: NaN is not finite"), feat.getMessage());

        BadDataException empty = assertThrows(BadDataException.class,
                () -> trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, new ArrayList<>(), 2)));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());

        List<Sample> ragged = new ArrayList<>(DistributedGradientTest.rows(30, 8, false, 3));
        ragged.set(20, new Sample(new float[DIM - 1], 1));
        BadDataException short4 = assertThrows(BadDataException.class,
                () -> trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, ragged, 2)));
        assertTrue(short4.getMessage().contains("partition 1, row 5: 4 features, expected 5"), short4.getMessage());

        ModelSpec wide = ModelSpec.parse("mlp:8,3", DIM + 2, 3, 1);
        BadDataException dim = assertThrows(BadDataException.class,
                () -> trainer(wide, LossKind.SOFTMAX_CROSS_ENTROPY).build().fit(spark, data(spark, rows, 2)));
        assertTrue(dim.getMessage().contains("has 5 features") && dim.getMessage().contains("does not end in 7 features"),
                dim.getMessage());
    }

    @Test
    void metricsCsvAndLossCurveAreWritten(SparkSession spark, @TempDir Path tmp) throws Exception {
        List<Sample> rows = DistributedGradientTest.rows(120, 9, false, 3);
        Path csv = tmp.resolve("metrics.csv");
        Path png = tmp.resolve("loss.png");
        trainer(MLP, LossKind.SOFTMAX_CROSS_ENTROPY)
                .validation(data(spark, DistributedGradientTest.rows(30, 10, false, 3), 1))
                .listener(new MetricsListener(csv.toUri().toString(), png.toUri().toString(),
                        spark.sparkContext().hadoopConfiguration()))
                .build().fit(spark, data(spark, rows, 2));
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,epoch,loss,samples_per_sec,learning_rate,grad_norm,val_loss,val_accuracy,train_loss,"
                + "train_accuracy,val_rmse,val_mae,val_r2", lines.get(0));
        assertEquals(1 + 9, lines.size()); // 3 steps per epoch, 3 epochs
        String[] epochEnd = lines.get(3).split(",", -1);
        assertEquals(13, epochEnd.length, lines.get(3));
        assertEquals("1", lines.get(1).split(",")[1], "the epoch column is 1-based, as the console's: " + lines.get(1));
        assertEquals("1", epochEnd[1], lines.get(3));
        assertEquals("3", lines.get(9).split(",")[1], lines.get(9));
        for (int c : new int[] {6, 7, 8, 9}) { // validation loss and accuracy, train loss and accuracy
            assertFalse(epochEnd[c].isEmpty(), "column " + c + " of " + lines.get(3));
        }
        for (int c : new int[] {10, 11, 12}) { // no regression metrics for a classifier
            assertTrue(epochEnd[c].isEmpty(), "column " + c + " of " + lines.get(3));
        }
        assertTrue(lines.get(2).endsWith(",,,,,,,"), "a mid-epoch row has no epoch metrics: " + lines.get(2));
        assertTrue(javax.imageio.ImageIO.read(png.toFile()).getWidth() > 100);
    }

    @Test
    void anEpochsTrainMetricsAreThoseOfItsStepsFromTheirOwnSums(SparkSession spark) {
        List<Sample> rows = DistributedGradientTest.rows(150, 11, false, 3);
        TrainingData train = data(spark, rows, 3);
        List<EpochRecord> epochs = new ArrayList<>();
        ProgressListener capture = new ProgressListener() {
            @Override
            public void onStep(StepRecord step, double eta) {
            }

            @Override
            public void onEpoch(EpochRecord e) {
                epochs.add(e);
            }
        };
        // full batch: each epoch is one step, whose loss and accuracy are those of the parameters before it
        DataParallelTrainer.Result r = DataParallelTrainer.builder(MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                p -> Adam.builder(p, 0.05).build()).epochs(2).microBatch(16).seed(7).listener(capture).build()
                .fit(spark, train);
        assertEquals(2, epochs.size());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Evaluator.Metrics before = Evaluator.evaluate(sc, train, MLP, LossKind.SOFTMAX_CROSS_ENTROPY,
                MLP.create().trainableParamTuple().flatten(), 16);
        EpochRecord first = epochs.get(0);
        assertEquals(0, first.epoch());
        assertEquals(2, first.epochs());
        assertEquals(before.accuracy(), first.trainAccuracy(), 0.0, "the rows classified right in the gradient pass");
        assertEquals(before.meanLoss(), first.trainLoss(), 1e-6);
        assertEquals(r.history().get(1).loss(), epochs.get(1).trainLoss(), 1e-12);
        assertTrue(first.trainAccuracy() > 0 && first.trainAccuracy() < 1, "a real fraction: " + first.trainAccuracy());
        assertEquals(null, first.validation());
    }
}
