package io.sparkgrad.examples;

import io.sparkgrad.nn.SGD;
import io.sparkgrad.spark.DataParallelTrainer;
import io.sparkgrad.spark.TrainerBuilder;
import io.sparkgrad.spark.LossKind;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.ProgressListener;
import io.sparkgrad.spark.Sample;
import io.sparkgrad.spark.TrainingData;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * SparkGrad's {@code logreg} against Spark MLlib's {@link LogisticRegression} on the same data,
 * with the same objective, regularisation and iteration budget; prints both coefficient vectors
 * side by side and their largest absolute difference.
 *
 * <p><b>Data:</b> the standardised training part of the bundled breast cancer data set
 * ({@link BreastCancer}: 456 rows, 30 features, {@value #PARTITIONS} partitions), one DataFrame
 * that both fits read.
 *
 * <p><b>Objective:</b> MLlib with {@code standardization=false}, {@code regParam=lambda},
 * {@code elasticNetParam=0} and {@code fitIntercept=true} minimises
 * {@code mean_i logloss(w.x_i + b, y_i) + lambda/2 ||w||^2}, the intercept not regularised.
 * SparkGrad minimises the same function: {@link LossKind#BCE_WITH_LOGITS} with the default mean
 * sens, plus {@link TrainerBuilder#l2 l2(lambda, name -> name.endsWith("weight"))},
 * which adds {@code lambda * w} to the gradient of the Dense weight and nothing to the bias'.
 * Both use {@code lambda} = {@value #LAMBDA}.
 *
 * <p><b>Iterations:</b> both get the same budget, {@value #ITERATIONS}: MLlib
 * {@code setMaxIter(ITERATIONS)} with {@code setTol(0)}, SparkGrad {@code steps(ITERATIONS)}
 * full-batch steps. They do not use it alike. MLlib's L-BFGS builds a curvature model and stops
 * by itself when the objective stops decreasing, after about 30 iterations on this data (the
 * iteration count it reports is printed; with any budget from 50 up its coefficients are
 * bitwise the same). SparkGrad's optimizer is first order: full-batch SGD with Nesterov momentum
 * 0.9 and learning rate {@value #LR}, which needs about 10 times as many steps on this
 * ill-conditioned problem (strongly correlated features, curvature down to lambda): measured
 * max abs difference 5e-3 after 100 steps, 8e-6 after 200, 3e-7 after 300 and after 500 (the
 * float32 floor). After only 30 steps it is far off, which the test checks too.
 *
 * <p><b>Tolerance:</b> {@value #RELATIVE_TOLERANCE} times the coefficient scale (the largest
 * absolute MLlib coefficient or intercept, about 0.72), i.e. about 7e-5 for every coefficient
 * and the intercept. Measured: 3e-7. SparkGrad computes in float32 (resolution 6e-8 at 0.7, and
 * gradient rounding is amplified by the weak curvature), so the tolerance leaves two orders of
 * magnitude for other BLAS or summation orders, while it still rejects what should fail: MLlib
 * at lambda 0.1 differs by 0.42, the untrained (initial) model by 0.84, SparkGrad after only 30
 * steps by 0.38, and even MLlib stopped after 20 of its own iterations by 1e-4.
 *
 * <p>MLlib's classes are not in SparkGrad's Kryo registrator, so this job's session sets
 * {@code spark.kryo.registrationRequired=false} (Kryo is still the serializer).
 *
 * <p>One BLAS per process: where the machine has a native BLAS, the engine uses it through the
 * same binding as MLlib (dev.ludovic.netlib). Before it did, the engine loaded bytedeco's
 * OpenBLAS next to the system's, and in that JVM MLlib's L-BFGS got wrong BLAS results and
 * stopped at all-zero coefficients; the test of this class caught it.
 *
 * <pre>
 *   ./spark-submit.sh --class io.sparkgrad.examples.CompareWithMllib
 * </pre>
 */
public final class CompareWithMllib {
    static final double LAMBDA = 0.01;
    static final int ITERATIONS = 300;
    static final double LR = 0.5;
    static final double MOMENTUM = 0.9;
    static final double RELATIVE_TOLERANCE = 1e-4;
    static final int PARTITIONS = 4;
    static final long SEED = 42;
    /** What the session needs for MLlib. */
    static final String KRYO_SETTING = "spark.kryo.registrationRequired=false";

    /** A fitted logistic regression: coefficients, intercept and the iterations its optimizer ran. */
    record Fit(double[] coefficients, double intercept, int iterations) {
        /** The largest absolute coefficient or intercept. */
        double scale() {
            double m = Math.abs(intercept);
            for (double v : coefficients) {
                m = Math.max(m, Math.abs(v));
            }
            return m;
        }

        /** The largest absolute difference over coefficients and intercept. */
        double maxAbsDiff(Fit o) {
            double m = Math.abs(intercept - o.intercept);
            for (int j = 0; j < coefficients.length; j++) {
                m = Math.max(m, Math.abs(coefficients[j] - o.coefficients[j]));
            }
            return m;
        }
    }

    /** Both fits, their difference, the tolerance and the objective each reached. */
    record Comparison(Fit mllib, Fit sparkgrad, double maxAbsDiff, double tolerance, double mllibObjective,
                      double sparkgradObjective) {
        boolean agrees() {
            return maxAbsDiff <= tolerance;
        }
    }

    private CompareWithMllib() {
    }

    public static void main(String[] args) {
        SparkSession spark = Train.session("sparkgrad-compare-with-mllib", KRYO_SETTING);
        Comparison c = run(spark, System.out);
        System.exit(c.agrees() ? 0 : 1);
    }

    /** The standardised breast cancer training rows as a cached DataFrame (features Vector, label double). */
    static Dataset<Row> trainingFrame(SparkSession spark) {
        return frame(spark, BreastCancer.load(spark, PARTITIONS).train().samples()).cache();
    }

    static Comparison run(SparkSession spark, PrintStream out) {
        Dataset<Row> df = trainingFrame(spark);
        long rows = df.count();
        out.printf(Locale.ROOT, "breast cancer, standardised training rows: %d, %d partitions; lambda %s, iteration budget %d%n",
                rows, df.javaRDD().getNumPartitions(), LAMBDA, ITERATIONS);
        Fit ml = mllib(df, LAMBDA, ITERATIONS);
        out.printf(Locale.ROOT, "MLlib LogisticRegression (L-BFGS): stopped after %d iterations%n", ml.iterations());
        out.printf(Locale.ROOT, "SparkGrad logreg (full-batch SGD, Nesterov momentum %s, lr %s, l2 on the weights): %d steps%n",
                MOMENTUM, LR, ITERATIONS);
        Fit sg = sparkgrad(spark, df, LAMBDA, ITERATIONS, out);
        Comparison c = new Comparison(ml, sg, ml.maxAbsDiff(sg), RELATIVE_TOLERANCE * ml.scale(),
                objective(df, ml, LAMBDA), objective(df, sg, LAMBDA));
        print(c, out);
        df.unpersist();
        return c;
    }

    static void print(Comparison c, PrintStream out) {
        out.printf("%-10s %14s %14s %11s%n", "", "MLlib", "SparkGrad", "abs diff");
        double[] a = c.mllib().coefficients();
        double[] b = c.sparkgrad().coefficients();
        for (int j = 0; j < a.length; j++) {
            out.printf(Locale.ROOT, "%-10s %14.8f %14.8f %11.2e%n", "w[" + j + "]", a[j], b[j], Math.abs(a[j] - b[j]));
        }
        out.printf(Locale.ROOT, "%-10s %14.8f %14.8f %11.2e%n", "intercept", c.mllib().intercept(), c.sparkgrad().intercept(),
                Math.abs(c.mllib().intercept() - c.sparkgrad().intercept()));
        out.printf(Locale.ROOT, "objective: MLlib %.10f, SparkGrad %.10f%n", c.mllibObjective(), c.sparkgradObjective());
        out.printf(Locale.ROOT, "max abs difference %.3e; tolerance %.3e (%s x coefficient scale %.4f): %s%n",
                c.maxAbsDiff(), c.tolerance(), RELATIVE_TOLERANCE, c.mllib().scale(), c.agrees() ? "AGREE" : "DISAGREE");
        out.flush();
    }

    /** Rows as a DataFrame with a {@code features} ml Vector and a double {@code label}. */
    static Dataset<Row> frame(SparkSession spark, JavaRDD<Sample> rows) {
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        JavaRDD<Row> r = rows.map(s -> {
            float[] f = s.features();
            double[] d = new double[f.length];
            for (int j = 0; j < f.length; j++) {
                d[j] = f[j];
            }
            return RowFactory.create(Vectors.dense(d), (double) s.label());
        });
        return spark.createDataFrame(r, schema);
    }

    /** MLlib's fit: L-BFGS on {@code mean logloss + lambda/2 ||w||^2}, at most {@code maxIter} iterations. */
    static Fit mllib(Dataset<Row> df, double lambda, int maxIter) {
        LogisticRegressionModel m = new LogisticRegression()
                .setStandardization(false).setRegParam(lambda).setElasticNetParam(0).setFitIntercept(true)
                .setMaxIter(maxIter).setTol(0).fit(df);
        return new Fit(m.coefficients().toArray(), m.intercept(), m.summary().totalIterations());
    }

    /** SparkGrad's fit of the same objective: {@code steps} full-batch steps, progress to {@code out}. */
    static Fit sparkgrad(SparkSession spark, Dataset<Row> df, double lambda, int steps, PrintStream out) {
        TrainingData data = TrainingData.fromDataset(df, "features", "label", null).cache();
        DataParallelTrainer.Result r = DataParallelTrainer
                .builder(model(data.dim()), LossKind.BCE_WITH_LOGITS,
                        p -> SGD.builder(p, LR).momentum(MOMENTUM).nesterov(true).build())
                .steps(steps).seed(SEED).l2(lambda, name -> name.endsWith("weight"))
                .listener(ProgressListener.console(out == null ? new PrintStream(OutputStream.nullOutputStream()) : out, 50))
                .build().fit(spark, data);
        data.unpersist();
        return fromFlat(r.flatParameters(), steps);
    }

    /** The {@code logreg} model both SparkGrad fits start from. */
    static ModelSpec model(int dim) {
        return ModelSpec.parse("logreg", dim, 1, SEED);
    }

    /** A fit from logreg's flat parameters: {@code 0.weight} (the coefficients), then {@code 0.bias}. */
    static Fit fromFlat(float[] p, int iterations) {
        double[] w = new double[p.length - 1];
        for (int j = 0; j < w.length; j++) {
            w[j] = p[j];
        }
        return new Fit(w, p[p.length - 1], iterations);
    }

    /** {@code mean_i logloss + lambda/2 ||w||^2} at {@code f}, in double precision. */
    static double objective(Dataset<Row> df, Fit f, double lambda) {
        double[] w = f.coefficients();
        double b = f.intercept();
        double[] sums = df.javaRDD().map(r -> {
            double[] x = ((Vector) r.get(0)).toArray();
            double z = b;
            for (int j = 0; j < x.length; j++) {
                z += w[j] * x[j];
            }
            double y = r.getDouble(1);
            // logloss of a logit, stably: log(1 + e^z) - y z
            return new double[] {Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z, 1};
        }).reduce((p, q) -> new double[] {p[0] + q[0], p[1] + q[1]});
        double penalty = 0;
        for (double v : w) {
            penalty += v * v;
        }
        return sums[0] / sums[1] + lambda / 2 * penalty;
    }
}
