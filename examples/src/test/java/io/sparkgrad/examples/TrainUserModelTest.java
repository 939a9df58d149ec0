package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Tensor;
import io.sparkgrad.ml.SparkGradModel;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.ModelFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --model class:NAME} with a user's own {@link ModelFactory} (here a class on the test
 * class path; on a cluster, a {@code --jars} jar), then {@code evaluate} on the saved model: the
 * class is instantiated by name at training, in the tasks, and again at load.
 */
class TrainUserModelTest {
    @TempDir
    Path tmp;

    /** Logistic regression with a tanh feature layer beside it: {@code linear(x) + head(tanh(hidden(x)))}. */
    public static final class WideAndDeep implements ModelFactory {
        private static final long serialVersionUID = 1L;
        private final int in;
        private final int out;
        private final long seed;

        public WideAndDeep(int in, int out, long seed) {
            this.in = in;
            this.out = out;
            this.seed = seed;
        }

        @Override
        public Cell create() {
            Dense linear = Dense.builder(in, out).seed(seed).build();
            Dense hidden = Dense.builder(in, 4).seed(seed + 1).build();
            Dense head = Dense.builder(4, out).seed(seed + 2).hasBias(false).build();
            return new Cell() {
                {
                    insertChildToCell("linear", linear);
                    insertChildToCell("hidden", hidden);
                    insertChildToCell("head", head);
                }

                @Override
                public Tensor construct(Tensor... x) {
                    return Ops.add(linear.apply(x[0]), head.apply(Ops.tanh(hidden.apply(x[0]))));
                }
            };
        }
    }

    @Test
    void trainsAUserFactoryClassAndTheSavedModelEvaluates() throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        Path csv = tmp.resolve("breast_cancer.csv");
        Files.write(csv, Train.bundled(BreastCancer.RESOURCE)); // a header, 569 rows of 30 features and the label
        String data = csv.toUri().toString();
        String spec = "class:" + WideAndDeep.class.getName();
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--data", data, "--header", "--model", spec, "--loss", "bce", "--epochs", "20",
                "--batch-size", "64", "--lr", "0.05", "--partitions", "2", "--log-every", "1000",
                "--output", out.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        Matcher acc = Pattern.compile("test accuracy ([0-9.]+)").matcher(r.out());
        assertTrue(acc.find(), r.out());
        assertTrue(Double.parseDouble(acc.group(1)) >= 0.93, r.out());

        SparkGradModel m = SparkGradModel.load(out.resolve("model").toString(), new Configuration());
        assertEquals(spec, m.spec().text());
        // linear (30 + 1), hidden (30 * 4 + 4), head (4): the factory's cell
        assertEquals(31 + 124 + 4, m.weights().length);

        CliRun e = CliRun.of("evaluate", "--model-path", out.toString(), "--data", data, "--header");
        assertEquals(0, e.exit(), e.out() + e.err());
        assertTrue(e.out().startsWith(spec + " on "), e.out());
    }
}
