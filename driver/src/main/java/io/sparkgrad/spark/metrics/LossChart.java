package io.sparkgrad.spark.metrics;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The loss curve of a run as an XChart line chart, rendered off screen to a PNG.
 *
 * <p>It shows, against the step:
 * <ul>
 *   <li>the training loss per step, a line broken wherever the loss is not finite;</li>
 *   <li>the validation loss, where rows carry it, a line with a marker on each such step;</li>
 *   <li>the steps whose training loss is NaN or infinite, as red markers along the top of the
 *       plot, counted in the legend.</li>
 * </ul>
 * Non-finite values are left out of the axis ranges. A chart with no finite value says so in its
 * middle ("no data", or "no finite loss values"). The y axis is logarithmic when the finite losses
 * are all positive and span more than a decade (largest over smallest above 10), so a loss that
 * falls from 2.3 to 0.01 stays readable.
 *
 * <p>When rows carry a per-epoch metric and the image is at least 300 pixels high, a second panel
 * below the loss (two fifths of the height) shows it against the step: the validation and training
 * accuracy of a classifier, or the validation RMSE of a regression (in the target's units).
 *
 * <p>Rendering draws into a {@link BufferedImage} only, which needs no display; the process that
 * runs it is expected to be started with {@code -Djava.awt.headless=true} (the launch scripts, the
 * CLI and the Maven test configuration do), and on Linux without {@code DISPLAY} the JDK is
 * headless anyway. Stateless and thread-safe.
 */
public final class LossChart {
    static final Color TRAIN = new Color(31, 119, 180);
    static final Color VAL = new Color(255, 127, 14);
    static final Color BAD = new Color(214, 39, 40);
    private static final Color GRID = new Color(225, 225, 225);

    private LossChart() {
    }

    /** Throws unless the size is within 200x150 .. 10000x10000 pixels. */
    static void checkSize(int width, int height) {
        if (width < 200 || height < 150 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException("plot size must be within 200x150 .. 10000x10000, got " + width + "x"
                    + height);
        }
    }

    /** The image height below which the metric panel is left out. */
    static final int MIN_HEIGHT_FOR_TWO_PANELS = 300;

    /** The chart of {@code rows} at {@code width} x {@code height} pixels, rendered as an image. */
    public static BufferedImage render(List<MetricsRow> rows, int width, int height, String title) {
        checkSize(width, height);
        boolean two = height >= MIN_HEIGHT_FOR_TWO_PANELS && hasMetric(rows);
        if (!two) {
            return BitmapEncoder.getBufferedImage(chart(rows, width, height, title));
        }
        int top = height - height * 2 / 5;
        BufferedImage loss = BitmapEncoder.getBufferedImage(chart(rows, width, top, title));
        BufferedImage metric = BitmapEncoder.getBufferedImage(metricChart(rows, width, height - top));
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        try {
            g.drawImage(loss, 0, 0, null);
            g.drawImage(metric, 0, top, null);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The chart of {@code rows} at {@code width} x {@code height} pixels, as PNG bytes. */
    public static byte[] png(List<MetricsRow> rows, int width, int height, String title) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (!javax.imageio.ImageIO.write(render(rows, width, height, title), "png", out)) {
            throw new IOException("no PNG writer");
        }
        return out.toByteArray();
    }

    /** Whether any row carries a per-epoch metric for the second panel. */
    static boolean hasMetric(List<MetricsRow> rows) {
        for (MetricsRow r : rows) {
            if (finite(r.valAccuracy()) || finite(r.trainAccuracy()) || finite(r.valRmse())) {
                return true;
            }
        }
        return false;
    }

    private static boolean finite(Double v) {
        return v != null && Double.isFinite(v);
    }

    /** Whether the finite losses of {@code rows} are positive and span more than a decade. */
    static boolean logScale(List<MetricsRow> rows) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (MetricsRow r : rows) {
            for (Double v : new Double[] {r.loss(), r.valLoss()}) {
                if (finite(v)) {
                    if (v <= 0) {
                        return false;
                    }
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        return max > 10 * min;
    }

    /**
     * The metric panel: validation and training accuracy against the step for a classifier, or
     * the validation RMSE for a regression (whose rows carry no accuracy).
     */
    static XYChart metricChart(List<MetricsRow> rows, int width, int height) {
        boolean regression = rows.stream().anyMatch(r -> finite(r.valRmse()));
        XYChart chart = new XYChartBuilder().width(width).height(height).xAxisTitle("step")
                .yAxisTitle(regression ? "RMSE" : "accuracy").build();
        style(chart.getStyler(), width, height);
        chart.getStyler().setLegendPosition(regression ? LegendPosition.InsideNE : LegendPosition.InsideSE);
        float lineWidth = Math.max(1.5f, width / 600f);
        if (regression) {
            addMetric(chart, rows, "val RMSE", VAL, lineWidth, MetricsRow::valRmse);
        } else {
            addMetric(chart, rows, "train accuracy", TRAIN, lineWidth, MetricsRow::trainAccuracy);
            addMetric(chart, rows, "val accuracy", VAL, lineWidth, MetricsRow::valAccuracy);
        }
        return chart;
    }

    private static void addMetric(XYChart chart, List<MetricsRow> rows, String name, Color color, float lineWidth,
                                  java.util.function.Function<MetricsRow, Double> metric) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (MetricsRow r : rows) {
            Double v = metric.apply(r);
            if (finite(v)) {
                xs.add((double) r.step());
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) {
            XYSeries s = chart.addSeries(name, xs, ys);
            s.setLineColor(color);
            s.setLineWidth(lineWidth);
            s.setMarkerColor(color);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
    }

    static XYChart chart(List<MetricsRow> rows, int width, int height, String title) {
        checkSize(width, height);
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title == null ? "" : title)
                .xAxisTitle("step").yAxisTitle("loss").build();
        style(chart.getStyler(), width, height);

        List<Double> steps = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> valSteps = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        List<Double> badSteps = new ArrayList<>();
        double ymax = Double.NEGATIVE_INFINITY;
        int finiteTrain = 0;
        int finiteVal = 0;
        for (MetricsRow r : rows) {
            if (r.loss() != null) {
                steps.add((double) r.step());
                train.add(finiteOrNull(r.loss()));
                if (Double.isFinite(r.loss())) {
                    finiteTrain++;
                    ymax = Math.max(ymax, r.loss());
                } else {
                    badSteps.add((double) r.step());
                }
            }
            if (r.valLoss() != null) {
                valSteps.add((double) r.step());
                val.add(finiteOrNull(r.valLoss()));
                if (Double.isFinite(r.valLoss())) {
                    finiteVal++;
                    ymax = Math.max(ymax, r.valLoss());
                }
            }
        }
        float lineWidth = Math.max(1.5f, width / 600f);
        if (finiteTrain > 0) {
            XYSeries s = chart.addSeries("train loss", steps, train);
            s.setLineColor(TRAIN);
            s.setLineWidth(lineWidth);
            s.setMarkerColor(TRAIN);
            s.setMarker(finiteTrain == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        if (finiteVal > 0) {
            XYSeries s = chart.addSeries("val loss", valSteps, val);
            s.setLineColor(VAL);
            s.setLineWidth(lineWidth);
            s.setMarkerColor(VAL);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        boolean anyFinite = finiteTrain + finiteVal > 0;
        if (logScale(rows)) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.setYAxisTitle("loss (log scale)");
        }
        if (!badSteps.isEmpty()) {
            List<Double> top = new ArrayList<>();
            for (int i = 0; i < badSteps.size(); i++) {
                top.add(anyFinite ? ymax : 1.0);
            }
            XYSeries s = chart.addSeries("non-finite train loss (" + badSteps.size() + ")", badSteps, top);
            s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.TRIANGLE_DOWN);
            s.setMarkerColor(BAD);
        }
        if (!anyFinite) {
            String msg = rows.isEmpty() ? "no data" : "no finite loss values";
            chart.addAnnotation(new AnnotationText(msg, width / 2.0, height / 2.0, true));
        }
        return chart;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null; // XChart leaves a gap at a null
    }

    private static void style(XYStyler st, int width, int height) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(Color.BLACK);
        st.setPlotGridLinesColor(GRID);
        st.setChartFontColor(Color.BLACK);
        st.setAxisTickLabelsColor(Color.BLACK);
        st.setLegendPosition(LegendPosition.InsideNE);
        st.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        st.setLegendBorderColor(Color.GRAY);
        st.setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
        st.setMarkerSize(Math.max(6, Math.min(width, height) / 60));
        st.setAntiAlias(true);
    }
}
