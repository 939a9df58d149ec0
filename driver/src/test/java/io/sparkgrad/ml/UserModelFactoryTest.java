package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.ModelFactory;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code model} param with a user's own {@link ModelFactory} class (issue 8 §1): fit, transform,
 * save and load (in a Pipeline too) as for the built-in specs, with the class instantiated by name
 * on the executors and at load; a missing class, one that is not a factory, and one whose cell has
 * the wrong output width are refused naming what is wrong.
 */
@LocalSpark(master = "local[2]")
class UserModelFactoryTest {
    @TempDir
    Path tmp;

    /** A cell no spec string describes: {@code fc2(tanh(fc1(x))) + skip(x)}. */
    public static final class SkipNet extends Cell {
        final Dense fc1;
        final Dense fc2;
        final Dense skip;

        SkipNet(int in, int out, long seed) {
            fc1 = Dense.builder(in, 6).seed(seed).build();
            fc2 = Dense.builder(6, out).seed(seed + 1).build();
            skip = Dense.builder(in, out).seed(seed + 2).hasBias(false).build();
        }

        @Override
        public Tensor construct(Tensor... x) {
            return Ops.add(fc2.apply(Ops.tanh(fc1.apply(x[0]))), skip.apply(x[0]));
        }
    }

    /** Told the data's width, the outputs the loss needs and the seed. */
    public static final class SkipNetFactory implements ModelFactory {
        private static final long serialVersionUID = 1L;
        private final int in;
        private final int out;
        private final long seed;

        public SkipNetFactory(int in, int out, long seed) {
            this.in = in;
            this.out = out;
            this.seed = seed;
        }

        @Override
        public Cell create() {
            return new SkipNet(in, out, seed);
        }
    }

    /** A no-argument factory with fixed widths: 3 inputs, 2 outputs. */
    public static final class TwoOutputs implements ModelFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public Cell create() {
            return Dense.builder(3, 2).seed(1).build();
        }
    }

    /** Not a factory. */
    public static final class NotAFactory {
    }

    @Test
    void aUserFactoryClassFitsTransformsAndRoundTripsBitwise(SparkSession spark) throws Exception {
        Dataset<Row> df = Blobs.frame(spark, 150, 3, 5, 2).cache();
        String spec = "class:" + SkipNetFactory.class.getName();
        SparkGradModel m = new SparkGradEstimator().setModel(spec).setMaxIter(30).setStepSize(0.05).setSeed(4).fit(df);

        assertEquals(spec, m.spec().text());
        assertEquals(3, m.numClasses());
        // fc1 (3*6 + 6), fc2 (6*3 + 3), skip (3*3): the factory's own cell, not a built-in spec
        assertEquals(3 * 6 + 6 + 6 * 3 + 3 + 3 * 3, m.weights().length);
        double accuracy = m.transform(df).filter("prediction = label").count() / (double) df.count();
        assertTrue(accuracy >= 0.9, "training accuracy " + accuracy);

        String path = tmp.resolve("model").toUri().toString();
        m.save(path);
        String json = Files.readString(tmp.resolve("model/metadata/part-00000"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"modelSpec\":\"" + spec + "\""), json);
        SparkGradModel back = SparkGradModel.load(path);
        assertArrayEquals(m.weights(), back.weights());
        assertEquals(PersistenceTest.bits(m.transform(df)), PersistenceTest.bits(back.transform(df)));

        // in a Pipeline, fitted and saved, then loaded
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new SparkGradEstimator().setModel(spec).setMaxIter(5).setSeed(4)});
        String pp = tmp.resolve("pipeline").toUri().toString();
        pipeline.save(pp);
        Pipeline pipelineBack = Pipeline.load(pp);
        assertEquals(spec, ((SparkGradEstimator) pipelineBack.getStages()[0]).getModel());
        PipelineModel fitted = pipelineBack.fit(df);
        String pm = tmp.resolve("pipelineModel").toUri().toString();
        fitted.save(pm);
        assertEquals(PersistenceTest.bits(fitted.transform(df)), PersistenceTest.bits(PipelineModel.load(pm).transform(df)));
        df.unpersist();
    }

    @Test
    void theBareQualifiedClassNameIsTheSameModel(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 60, 3, 6, 2);
        SparkGradModel prefixed = new SparkGradEstimator().setModel("class:" + SkipNetFactory.class.getName())
                .setMaxIter(3).setSeed(2).fit(df);
        SparkGradModel bare = new SparkGradEstimator().setModel(SkipNetFactory.class.getName())
                .setMaxIter(3).setSeed(2).fit(df);
        assertArrayEquals(prefixed.weights(), bare.weights());
    }

    @Test
    void aClassThatIsMissingOrNotAFactoryOrOfTheWrongWidthIsRefusedNamingIt(SparkSession spark) {
        Dataset<Row> df = Blobs.frame(spark, 30, 3, 7, 1);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new SparkGradEstimator().setModel("class:com.example.NoSuchFactory").fit(df));
        assertTrue(missing.getMessage().contains("com.example.NoSuchFactory is not on the class path"),
                missing.getMessage());

        IllegalArgumentException notFactory = assertThrows(IllegalArgumentException.class,
                () -> new SparkGradEstimator().setModel("class:" + NotAFactory.class.getName()).fit(df));
        assertTrue(notFactory.getMessage().contains("must be a public, non-abstract implementation of "
                + ModelFactory.class.getName()), notFactory.getMessage());

        // 3 classes need 3 outputs; this factory gives 2
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> new SparkGradEstimator().setModel("class:" + TwoOutputs.class.getName()).fit(df));
        assertTrue(width.getMessage().contains("maps a [1, 3] input to [1, 2], but [1, 3] is needed"), width.getMessage());

        // the param refuses what is no class name at all, before any fit
        assertThrows(IllegalArgumentException.class, () -> new SparkGradEstimator().setModel("class:1bad"));
        assertFalse(ModelSpec.isWellFormed("class:"));
        assertTrue(ModelSpec.isWellFormed("class:" + TwoOutputs.class.getName()));
    }

    @Test
    void aNoArgumentFactoryOfTheRightWidthIsUsedAsItIs() {
        ModelSpec s = ModelSpec.parse(TwoOutputs.class.getName(), 3, 2, 99);
        assertEquals("class:" + TwoOutputs.class.getName(), s.text());
        assertTrue(s.isUserClass());
        // the factory's own seed (1), whatever the spec's seed
        assertArrayEquals(Dense.builder(3, 2).seed(1).build().trainableParamTuple().flatten(),
                s.create().trainableParamTuple().flatten());
    }
}
