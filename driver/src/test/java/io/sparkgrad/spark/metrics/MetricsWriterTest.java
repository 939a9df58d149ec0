package io.sparkgrad.spark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsWriterTest {
    @TempDir
    Path tmp;

    private List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static List<MetricsRow> someRows() {
        List<MetricsRow> rows = new ArrayList<>();
        for (int s = 1; s <= 40; s++) {
            int epoch = (s - 1) / 10;
            MetricsRow r = MetricsRow.training(s, epoch, 2.0 / s + 0.1, 1234.5, 0.01, 0.5 / s);
            if (s % 10 == 0) {
                r = r.withValidation(2.2 / s + 0.15, 0.5 + s / 100.0);
            }
            rows.add(r);
        }
        return rows;
    }

    @Test
    void csvHasHeaderAndRowsWithEmptyCellsForAbsentValues() throws IOException {
        Path csv = tmp.resolve("out/metrics.csv");
        MetricsWriter w = new MetricsWriter(csv.toString());
        w.append(MetricsRow.training(1, 0, 0.75, 100.0, 0.01, 1.5));
        w.append(MetricsRow.training(2, 0, Double.NaN, null, 0.01, null).withValidation(0.8, 0.625));
        w.append(List.of(MetricsRow.training(3, 1, Double.POSITIVE_INFINITY, 90.0, null, null),
                new MetricsRow(4, 1, null, null, null, null, null, null)));

        List<String> lines = Files.readAllLines(csv);
        assertEquals(List.of(
                MetricsRow.HEADER,
                "1,0,0.75,100.0,0.01,1.5,,,,,,,",
                "2,0,NaN,,0.01,,0.8,0.625,,,,,",
                "3,1,Infinity,90.0,,,,,,,,,",
                "4,1,,,,,,,,,,,"), lines);
        assertEquals("step,epoch,loss,samples_per_sec,learning_rate,grad_norm,val_loss,val_accuracy,train_loss,"
                + "train_accuracy,val_rmse,val_mae,val_r2", MetricsRow.HEADER);
        assertEquals(List.of("metrics.csv"), listing(tmp.resolve("out")), "no .crc or temp files");
        assertEquals(4, w.rows().size());
    }

    @Test
    void reopeningAnExistingCsvLoadsItsRowsAndAppendsWithoutASecondHeader() throws IOException {
        Path csv = tmp.resolve("metrics.csv");
        List<MetricsRow> rows = someRows();
        new MetricsWriter(csv.toString()).append(rows.subList(0, 25));
        MetricsWriter again = new MetricsWriter("file://" + csv.toAbsolutePath());
        assertEquals(rows.subList(0, 25), again.rows());
        again.append(rows.subList(25, 40));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(41, lines.size());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("step,")).count());
        assertEquals(rows, new MetricsWriter(csv.toString()).rows(), "rows parse back equal");
    }

    @Test
    void rewritingTheCsvOrThePlotNeverLeavesTheFileMissing() throws IOException {
        // The watching file system fails any delete or rename after which a watched file that existed
        // is gone. Before the fix, replace() deleted the CSV before renaming the new one over it.
        Path csv = tmp.resolve("metrics.csv");
        Path png = tmp.resolve("loss.png");
        MetricsWriter w = new MetricsWriter(WatchingLocalFileSystem.uri(csv), WatchingLocalFileSystem.watching(csv,
                png)).plotSize(320, 200);
        List<MetricsRow> rows = someRows();
        w.append(rows);
        w.writeLossPlot(WatchingLocalFileSystem.uri(png));
        byte[] firstPlot = Files.readAllBytes(png);

        w.dropFrom(21); // a resumed run: steps 21.. are rewritten
        assertEquals(rows.subList(0, 20), w.rows());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(21, lines.size());
        assertEquals(MetricsRow.HEADER, lines.get(0));
        assertEquals(rows.get(19).toCsv(), lines.get(20));
        assertEquals(rows.subList(0, 20), new MetricsWriter(csv.toString()).rows());

        w.writeLossPlot(WatchingLocalFileSystem.uri(png)); // replaces the plot of 40 steps
        assertTrue(!java.util.Arrays.equals(firstPlot, Files.readAllBytes(png)), "the plot was replaced");
        assertEquals(List.of("loss.png", "metrics.csv"), listing(tmp), "no temp files left");
    }

    @Test
    void theWatchingFileSystemCatchesADeleteBeforeRename() throws IOException {
        // The check above is real: deleting the watched file, as the old replace() did, fails.
        Path csv = tmp.resolve("metrics.csv");
        Files.writeString(csv, "x\n");
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(WatchingLocalFileSystem.uri(csv));
        org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(WatchingLocalFileSystem.watching(csv));
        IOException e = assertThrows(IOException.class, () -> fs.delete(p, false));
        assertTrue(e.getMessage().startsWith("a reader would find no watchfs:"), e.getMessage());
    }

    @Test
    void aForeignHeaderIsRejected() throws IOException {
        Path csv = tmp.resolve("metrics.csv");
        Files.writeString(csv, "a,b,c\n1,2,3\n");
        IOException e = assertThrows(IOException.class, () -> new MetricsWriter(csv.toString()));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void lossPlotIsAPngOfTheConfiguredSizeWithBothCurves() throws IOException {
        MetricsWriter w = new MetricsWriter(tmp.resolve("metrics.csv").toString()).plotSize(640, 360);
        w.append(someRows());
        Path png = tmp.resolve("plots/loss.png");
        w.writeLossPlot(png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "decodes as an image");
        assertEquals(640, img.getWidth());
        assertEquals(360, img.getHeight());
        assertTrue(countNear(img, 31, 119, 180) > 50, "training curve drawn");
        assertTrue(countNear(img, 255, 127, 14) > 20, "validation curve drawn");
        assertTrue(countNear(img, 0, 0, 0) > 100, "axes and labels drawn");

        // overwrite with another size, no temp files left
        w.writeLossPlot(png.toString(), 300, 200);
        BufferedImage again = ImageIO.read(png.toFile());
        assertEquals(300, again.getWidth());
        assertEquals(200, again.getHeight());
        assertEquals(List.of("loss.png"), listing(tmp.resolve("plots")));
    }

    @Test
    void nonFiniteLossesDoNotBreakThePlot() throws IOException {
        List<MetricsRow> rows = new ArrayList<>(someRows());
        rows.set(5, MetricsRow.training(6, 0, Double.NaN, null, null, null));
        rows.set(6, MetricsRow.training(7, 0, Double.POSITIVE_INFINITY, null, null, null));
        rows.set(7, MetricsRow.training(8, 0, Double.NEGATIVE_INFINITY, null, null, null));
        rows.set(19, rows.get(19).withValidation(Double.NaN, null));
        MetricsWriter w = new MetricsWriter(tmp.resolve("metrics.csv").toString()).plotSize(500, 300);
        w.append(rows);
        Path png = tmp.resolve("loss.png");
        w.writeLossPlot(png.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(500, img.getWidth());
        assertEquals(300, img.getHeight());
        assertTrue(countNear(img, 31, 119, 180) > 50, "finite part of the training curve still drawn");
        assertTrue(countNear(img, 214, 39, 40) > 5, "non-finite steps marked");

        // only non-finite values, a single point, and no rows at all still render
        BufferedImage allBad = LossChart.render(List.of(MetricsRow.training(1, 0, Double.NaN, null,
                null, null), MetricsRow.training(2, 0, Double.POSITIVE_INFINITY, null, null, null)), 400, 250, "t");
        assertEquals(400, allBad.getWidth());
        BufferedImage one = LossChart.render(List.of(MetricsRow.training(3, 0, 1.0, null, null, null)),
                400, 250, "t");
        assertTrue(countNear(one, 31, 119, 180) > 3, "a single point is visible");
        BufferedImage none = LossChart.render(List.of(), 400, 250, "t");
        assertEquals(250, none.getHeight());
        assertThrows(IllegalArgumentException.class, () -> LossChart.render(List.of(), 10, 10, "t"));
    }

    @Test
    void rowsRoundTripThroughCsvText() {
        MetricsRow r = new MetricsRow(7, 2, -0.0, 1e-300, 3e300, Double.NaN, null, Double.NEGATIVE_INFINITY);
        assertEquals(r, MetricsRow.parseCsv(r.toCsv()));
        assertThrows(IllegalArgumentException.class, () -> MetricsRow.parseCsv("1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> MetricsRow.training(-1, 0, 1.0, null, null, null));
    }

    private static int countNear(BufferedImage img, int r, int g, int b) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int dr = ((p >> 16) & 0xFF) - r;
                int dg = ((p >> 8) & 0xFF) - g;
                int db = (p & 0xFF) - b;
                if (dr * dr + dg * dg + db * db < 30 * 30) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void aLossThatFallsMoreThanADecadeIsPlottedOnALogScaleWithTheMetricBelow() throws IOException {
        List<MetricsRow> rows = new ArrayList<>();
        for (int s = 1; s <= 40; s++) {
            MetricsRow r = MetricsRow.training(s, (s - 1) / 10 + 1, 2.3 * Math.pow(0.85, s), null, null, null);
            if (s % 10 == 0) {
                r = r.withValidation(2.5 * Math.pow(0.85, s), 0.5 + s / 100.0).withTraining(2.0 * Math.pow(0.85, s), 0.6);
            }
            rows.add(r);
        }
        assertTrue(LossChart.logScale(rows), "2.3 down to 0.003");
        assertTrue(LossChart.chart(rows, 600, 400, "t").getStyler().isYAxisLogarithmic());
        List<MetricsRow> flat = rows.subList(0, 5);
        assertFalse(LossChart.logScale(flat), "2.3 down to 1.0: a linear axis");
        assertFalse(LossChart.logScale(List.of(MetricsRow.training(1, 1, 0.0, null, null, null),
                MetricsRow.training(2, 1, 5.0, null, null, null))), "a zero loss has no logarithm");

        BufferedImage img = LossChart.render(rows, 600, 500, "t");
        assertEquals(500, img.getHeight());
        int top = 500 - 500 * 2 / 5;
        // the metric panel below: the validation accuracy (orange) and the train accuracy (blue) drawn there
        assertTrue(countNear(img.getSubimage(0, top, 600, 500 - top), 255, 127, 14) > 20, "validation accuracy drawn");
        assertTrue(countNear(img.getSubimage(0, top, 600, 500 - top), 31, 119, 180) > 20, "train accuracy drawn");
        // a regression's panel is its RMSE
        List<MetricsRow> reg = new ArrayList<>();
        for (int s = 1; s <= 20; s++) {
            MetricsRow r = MetricsRow.training(s, s, 1.0 / s, null, null, null).withValidation(1.2 / s, null)
                    .withRegression(3.0 / s, 2.0 / s, 0.8);
            reg.add(r);
        }
        assertTrue(LossChart.hasMetric(reg));
        assertEquals("RMSE", LossChart.metricChart(reg, 600, 200).getYAxisTitle());
        assertFalse(LossChart.hasMetric(rows.subList(0, 9)), "no epoch ended: the loss alone");
    }

    @Test
    void aMetricsFileOfTheEarlierEightColumnsIsReadAndRewrittenWithTheNewHeader() throws IOException {
        Path csv = tmp.resolve("metrics.csv");
        Files.writeString(csv, MetricsRow.HEADER_V1 + "\n1,0,0.5,,,,,\n2,0,0.25,,,,0.3,0.75\n");
        MetricsWriter w = new MetricsWriter(csv.toString());
        assertEquals(2, w.rows().size());
        assertEquals(0.75, w.rows().get(1).valAccuracy());
        w.append(MetricsRow.training(3, 1, 0.125, null, null, null).withTraining(0.2, null));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(MetricsRow.HEADER, lines.get(0));
        assertEquals(4, lines.size());
        assertEquals("2,0,0.25,,,,0.3,0.75,,,,,", lines.get(2));
        assertEquals("3,1,0.125,,,,,,0.2,,,,", lines.get(3));
    }
}
