package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Parameter;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.testing.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * L-BFGS and OWL-QN through {@code DataParallelTrainer.builder(ModelFactory, LossKind)} with a
 * user's own {@link Cell} (not a {@link ModelSpec}): least squares, whose optimum the test computes
 * in double from the same float rows, in closed form.
 */
@LocalSpark(master = "local[2]")
class LbfgsUserCellTest {

    /** A user's model: {@code y = x . weight + bias}, its parameters its own fields. */
    static final class Affine extends Cell {
        final Parameter weight;
        final Parameter bias;

        Affine(int dim, long seed) {
            weight = new Parameter(Tensor.uniform(seed, -1, 1, dim, 1), "weight");
            bias = new Parameter(Tensor.zeros(1), "bias");
        }

        @Override
        public Tensor construct(Tensor... x) {
            return Ops.add(Ops.matmul(x[0], weight), bias); // [N, 1]
        }
    }

    /** The user's factory: serializable (shipped to every task), it builds the same Cell everywhere. */
    record AffineFactory(int dim, long seed) implements ModelFactory {
        @Override
        public Cell create() {
            return new Affine(dim, seed);
        }
    }

    static TrainingData data(SparkSession spark, List<Sample> rows, int dim) {
        return TrainingData.fromRdd(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), dim);
    }

    /**
     * The least-squares solution {@code (w, b)} minimising {@code sum_i (x_i . w + b - y_i)^2}: the
     * normal equations of {@code [X 1]}, solved by Gaussian elimination with partial pivoting, all
     * in double.
     */
    static double[] leastSquares(List<Sample> rows, int dim) {
        int n = dim + 1;
        double[][] a = new double[n][n + 1];
        for (Sample s : rows) {
            double[] z = new double[n];
            for (int j = 0; j < dim; j++) {
                z[j] = s.features()[j];
            }
            z[dim] = 1;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[i][j] += z[i] * z[j];
                }
                a[i][n] += z[i] * s.label();
            }
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                p = Math.abs(a[r][c]) > Math.abs(a[p][c]) ? r : p;
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = a[r][c] / a[c][c];
                    for (int k = c; k <= n; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        double[] sol = new double[n];
        for (int i = 0; i < n; i++) {
            sol[i] = a[i][n] / a[i][i];
        }
        return sol;
    }

    /** The mean squared error of {@code (w, b)} = {@code p} on {@code rows}, in double. */
    static double mse(List<Sample> rows, double[] p) {
        double sum = 0;
        int dim = p.length - 1;
        for (Sample s : rows) {
            double e = p[dim] - s.label();
            for (int j = 0; j < dim; j++) {
                e += p[j] * s.features()[j];
            }
            sum += e * e;
        }
        return sum / rows.size();
    }

    static double[] toDouble(float[] p) {
        double[] d = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = p[i];
        }
        return d;
    }

    @Test
    void lbfgsFitsAUserCellToTheLeastSquaresSolution(SparkSession spark) {
        int dim = 5;
        SplittableRandom r = new SplittableRandom(7);
        double[] truth = {2.0, -1.0, 0.5, 3.0, -0.25};
        List<Sample> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            float[] x = new float[dim];
            double y = 0.7;
            for (int j = 0; j < dim; j++) {
                x[j] = (float) ((j + 1) * r.nextGaussian() + (j == 1 ? 0.5 * x[0] : 0)); // scales 1..5, x1 correlated with x0
                y += truth[j] * x[j];
            }
            rows.add(new Sample(x, (float) (y + 0.3 * r.nextGaussian())));
        }
        double[] optimum = leastSquares(rows, dim); // (w, b) in double

        AffineFactory model = new AffineFactory(dim, 3);
        DataParallelTrainer.Result res = DataParallelTrainer.builder(model, LossKind.MSE)
                .lbfgs(100, 10, 1e-10).build().fit(spark, data(spark, rows, dim));
        assertNull(res.optimizer());
        assertEquals(List.of("weight", "bias"), res.model().trainableParamNames());
        float[] p = res.flatParameters(); // weight [5, 1], then bias
        double[] start = toDouble(model.create().trainableParamTuple().flatten());
        System.out.printf("L-BFGS on a user Cell: %d iterations (%s); parameters %s; least squares %s%n",
                res.history().size(), res.stopReason(), Arrays.toString(p), Arrays.toString(optimum));

        double worst = 0;
        for (int i = 0; i <= dim; i++) {
            worst = Math.max(worst, Math.abs(p[i] - optimum[i]));
        }
        // measured 1.1e-5: the objective and gradient are float32, at whose resolution Breeze's line search
        // stops (after 12 iterations, "line search failed"); 1e-4 leaves a margin of 9
        assertTrue(worst <= 1e-4, "max |parameter - least squares| = " + worst + "; " + Arrays.toString(p));
        double gap = mse(rows, toDouble(p)) - mse(rows, optimum);
        assertTrue(gap >= 0 && gap <= 1e-8 * mse(rows, optimum), "the objective is within 1e-8 of its minimum: " + gap);
        assertTrue(mse(rows, start) > 10 * mse(rows, optimum), "the start is far from the optimum");
        assertTrue(res.history().size() < 100, "stopped by Breeze's convergence check, not maxIter, after "
                + res.history().size() + " iterations: " + res.stopReason());
    }

    /**
     * OWL-QN on an orthogonal design (4 columns of a Sylvester Hadamard matrix: +-1, mean 0,
     * {@code X^T X = n I}), where the lasso has a closed form: with {@code c = X^T y / n} the
     * minimiser of {@code mean (x . w + b - y)^2 + l1 * ||w||_1} is
     * {@code w_j = sign(c_j) max(|c_j| - l1 / 2, 0)}, {@code b = mean(y)}.
     */
    @Test
    void owlqnGivesAUserCellTheLassoSolutionWithExactZeros(SparkSession spark) {
        int dim = 4;
        int n = 512;
        double l1 = 0.2;
        double[] truth = {1.5, -0.03, 0.8, 0.02}; // two coefficients below l1 / 2 = 0.1
        SplittableRandom r = new SplittableRandom(11);
        List<Sample> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[dim];
            double y = 0.5;
            for (int j = 0; j < dim; j++) {
                x[j] = Integer.bitCount(i & (j + 1)) % 2 == 0 ? 1f : -1f; // Hadamard columns 1, 2, 3, 4
                y += truth[j] * x[j];
            }
            rows.add(new Sample(x, (float) (y + 0.1 * r.nextGaussian())));
        }
        double[] lasso = new double[dim + 1];
        for (Sample s : rows) {
            for (int j = 0; j < dim; j++) {
                lasso[j] += s.features()[j] * s.label() / n;
            }
            lasso[dim] += s.label() / (double) n;
        }
        for (int j = 0; j < dim; j++) {
            lasso[j] = Math.signum(lasso[j]) * Math.max(Math.abs(lasso[j]) - l1 / 2, 0);
        }
        assertTrue(lasso[0] > 1 && lasso[1] == 0 && lasso[2] > 0.5 && lasso[3] == 0, Arrays.toString(lasso));

        DataParallelTrainer.Result res = DataParallelTrainer.builder(new AffineFactory(dim, 5), LossKind.MSE)
                .owlqn(100, 10, 1e-10, l1, name -> name.equals("weight")).build().fit(spark, data(spark, rows, dim));
        float[] p = res.flatParameters();
        System.out.printf("OWL-QN on a user Cell: %d iterations (%s); parameters %s; lasso %s%n",
                res.history().size(), res.stopReason(), Arrays.toString(p), Arrays.toString(lasso));
        assertEquals(0f, p[1], 0f, "weight 1 is exactly zero");
        assertEquals(0f, p[3], 0f, "weight 3 is exactly zero");
        for (int i = 0; i <= dim; i++) { // measured: within 2e-7, float resolution
            assertEquals(lasso[i], p[i], 1e-5, "parameter " + i + " of " + Arrays.toString(p));
        }
    }
}
