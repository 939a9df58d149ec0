package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.ml.SparkGradModel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The round trip for a regressor: {@code train --loss mse} on the bundled Auto MPG data (the target
 * standardised, as by default), then {@code predict} and {@code evaluate} on its 392 cars. The
 * predictions are in miles per gallon, the target's scale undone (on the standardised scale their
 * mean would be near 0 and their spread near 1), equal to the saved model's own transform, the
 * same with or without the label column; evaluate's MSE is that of those predictions.
 */
class PredictEvaluateRegressionTest {
    @TempDir
    static Path tmp;

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private static double std(double[] v) {
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }

    @Test
    void predictionsAreInTheTargetsUnitsAndEvaluatePrintsTheirMetrics() throws Exception {
        Path labelled = tmp.resolve("auto_mpg.csv");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(TrainRegressionTest.AUTO_MPG)) {
            Files.copy(in, labelled);
        }
        List<String> rows = Files.readAllLines(labelled).subList(1, 393); // after the header: 392 cars
        double[] mpg = rows.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(',') + 1))).toArray();
        List<String> featureLines = rows.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
        Path features = Files.write(tmp.resolve("cars.csv"), featureLines); // no header, no label

        Path run = tmp.resolve("run");
        CliRun trained = CliRun.of("train", "--data", labelled.toUri().toString(), "--header", "--loss", "mse",
                "--model", "mlp:64,1", "--log-every", "1000", "--output", run.toString());
        assertEquals(0, trained.exit(), trained.out() + trained.err());
        SparkGradModel model = SparkGradModel.load(run.resolve("model").toString(), new Configuration());
        assertEquals(0, model.numClasses());
        assertTrue(model.labelScale().std() > 5, "the target was standardised: " + model.labelScale());

        Path preds = tmp.resolve("preds.csv");
        CliRun p = CliRun.of("predict", "--model-path", run.toString(), "--data", features.toUri().toString(),
                "--output", preds.toString());
        assertEquals(0, p.exit(), p.out() + p.err());
        List<String> out = Files.readAllLines(preds);
        assertEquals("prediction", out.get(0));
        assertEquals(393, out.size());
        double[] pred = out.subList(1, out.size()).stream().mapToDouble(Double::parseDouble).toArray();

        // miles per gallon: the mean and spread of the target, and close to each car's figure
        assertEquals(mean(mpg), mean(pred), 1.0, "mean prediction against the mean mpg " + mean(mpg));
        assertTrue(std(pred) > 0.8 * std(mpg) && std(pred) < 1.1 * std(mpg), "spread " + std(pred) + " against " + std(mpg));
        double sq = 0;
        for (int i = 0; i < pred.length; i++) {
            sq += (pred[i] - mpg[i]) * (pred[i] - mpg[i]);
        }
        double mse = sq / pred.length;
        assertTrue(mse < 16, "MSE " + mse + " on a target of variance " + std(mpg) * std(mpg));

        // each equals the saved model's own prediction on the same rows in one partition, as predict reads
        // the file (the blocks scored together, so the same float arithmetic)
        List<Row> frame = new ArrayList<>();
        for (String l : featureLines) {
            frame.add(RowFactory.create(Vectors.dense(Arrays.stream(l.split(",")).mapToDouble(s -> (double) Float.parseFloat(s)).toArray())));
        }
        List<Row> expected = model.transform(Cli.session("predict-regression-test").createDataFrame(frame,
                new StructType().add("features", SQLDataTypes.VectorType())).coalesce(1)).select("prediction").collectAsList();
        for (int i = 0; i < pred.length; i++) {
            assertEquals(expected.get(i).getDouble(0), pred[i], 0.0, "row " + i);
        }

        // the labelled file (a header, the label one field more): the same predictions
        Path preds2 = tmp.resolve("preds2.csv");
        CliRun p2 = CliRun.of("predict", "--model-path", run.toString(), "--data", labelled.toUri().toString(), "--header",
                "--output", preds2.toString());
        assertEquals(0, p2.exit(), p2.out() + p2.err());
        assertEquals(out, Files.readAllLines(preds2));

        // evaluate: MSE, RMSE, MAE and R2 of those predictions, in mpg; no accuracy
        CliRun e = CliRun.of("evaluate", "--model-path", run.toString(), "--data", labelled.toUri().toString(), "--header");
        assertEquals(0, e.exit(), e.out() + e.err());
        Matcher m = Pattern.compile("mlp:64,1 on \\S+: MSE ([0-9.]+); RMSE ([0-9.]+); MAE ([0-9.]+); R2 ([0-9.]+) on 392 rows")
                .matcher(e.out().strip());
        assertTrue(m.matches(), e.out());
        assertFalse(e.out().contains("accuracy"), e.out());
        assertEquals(mse, Double.parseDouble(m.group(1)), 1e-3 * mse + 1e-4);
        assertEquals(Math.sqrt(mse), Double.parseDouble(m.group(2)), 1e-4);
        double mae = 0;
        for (int i = 0; i < pred.length; i++) {
            mae += Math.abs(pred[i] - mpg[i]) / pred.length;
        }
        assertEquals(mae, Double.parseDouble(m.group(3)), 1e-4);
        double r2 = 1 - mse / (std(mpg) * std(mpg) * (mpg.length - 1) / mpg.length);
        assertEquals(r2, Double.parseDouble(m.group(4)), 1e-4);
    }
}
