package io.sparkgrad.spark.testing;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.spark.DistributedGradient;
import io.sparkgrad.spark.GradientSum;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelFactory;
import io.sparkgrad.spark.PartitionGradient;
import io.sparkgrad.spark.Sample;
import io.sparkgrad.spark.StepPlan;
import io.sparkgrad.spark.TaskHook;
import io.sparkgrad.spark.TrainingData;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Checks that a model's gradient computed by SparkGrad over N partitions equals its gradient
 * computed in one process by {@code GradOperation(getByList=true, sensParam=true)} over all the
 * rows with sens {@code 1 / total weight}: the mean-loss gradient.
 */
public final class GradientAssertions {
    private GradientAssertions() {
    }

    /** The two gradients compared by {@link #assertPartitionedGradientMatchesLocal}. */
    public record Comparison(float[] distributed, float[] local, List<String> names) {
    }

    /**
     * Computes both gradients at the factory's initial parameters and fails with the parameter
     * and index of the first element differing by more than {@code atol + rtol * |local|}.
     */
    public static Comparison assertPartitionedGradientMatchesLocal(SparkSession spark, ModelFactory factory, LossKind loss,
                                                                   List<Sample> rows, int partitions, int treeDepth,
                                                                   double rtol, double atol) {
        Comparison c = compare(spark, factory, loss, rows, partitions, treeDepth);
        for (int i = 0; i < c.local.length; i++) {
            double d = Math.abs(c.distributed[i] - c.local[i]);
            if (!(d <= atol + rtol * Math.abs(c.local[i]))) {
                throw new AssertionError("gradient element " + i + " (" + c.names.get(i) + "): " + partitions
                        + " partitions gave " + c.distributed[i] + ", one process gave " + c.local[i]);
            }
        }
        return c;
    }

    /** Both gradients, without asserting. */
    public static Comparison compare(SparkSession spark, ModelFactory factory, LossKind loss, List<Sample> rows,
                                     int partitions, int treeDepth) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int dim = rows.get(0).features().length;
        Cell model = factory.create();
        ParameterTuple params = model.trainableParamTuple();
        float[] flat = params.flatten();
        TrainingData data = TrainingData.fromRdd(sc.parallelize(rows, partitions), dim);
        DistributedGradient dg = new DistributedGradient(sc, data.blocks(),
                new PartitionGradient(factory, loss, TaskHook.NONE, 1.0), treeDepth);
        GradientSum sum = dg.compute(flat, StepPlan.fullBatch(Math.max(1, rows.size())));
        float[] distributed = sum.scaledGradient(1.0 / sum.weight());

        float[] local = localGradient(factory, loss, rows);
        List<String> names = new ArrayList<>();
        List<String> pnames = model.trainableParamNames();
        for (int i = 0; i < params.size(); i++) {
            for (int j = 0; j < params.get(i).size(); j++) {
                names.add(pnames.get(i) + "[" + j + "]");
            }
        }
        return new Comparison(distributed, local, names);
    }

    /**
     * The single-process mean-loss gradient at the factory's initial parameters:
     * {@code GradOperation(getByList=true, sensParam=true)} of {@code sum_i w_i loss_i} over all
     * rows, with sens {@code 1 / sum_i w_i}; flat, in {@code ParameterTuple.flatten()} order.
     */
    public static float[] localGradient(ModelFactory factory, LossKind loss, List<Sample> rows) {
        Cell model = factory.create();
        ParameterTuple params = model.trainableParamTuple();
        int n = rows.size();
        int dim = rows.get(0).features().length;
        float[] x = new float[n * dim];
        float[] y = new float[n];
        float[] w = new float[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i).features(), 0, x, i * dim, dim);
            y[i] = rows.get(i).label();
            w[i] = rows.get(i).weight();
            total += w[i];
        }
        Value g = new GradOperation(false, true, true).apply(loss.weightedSum(model), params)
                .call(Tensor.wrap(x, n, dim), Tensor.wrap(y, n), Tensor.wrap(w, n), Tensor.scalar(1.0 / total));
        return PartitionGradient.flatten(g, params.numel());
    }
}
