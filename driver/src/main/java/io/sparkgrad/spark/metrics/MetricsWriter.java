package io.sparkgrad.spark.metrics;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Appends {@link MetricsRow}s to a metrics CSV and draws the loss curve as a PNG, both through the
 * Hadoop {@link FileSystem} API (a local path, {@code file://} or {@code hdfs://}).
 *
 * <p>The CSV starts with the header {@value MetricsRow#HEADER}; absent measurements are empty
 * cells. When the file already exists (a resumed run) its header is checked and its rows are
 * loaded, so the plot covers the whole history; new rows are appended after them. Rows are
 * appended with {@link FileSystem#append} where the file system supports it, otherwise the file is
 * rewritten through a temporary file and a rename. On the local file system the raw file system is
 * used (no {@code .crc} side files, and append works).
 *
 * <p>{@link #writeLossPlot} renders training loss per step (a line, broken at non-finite values,
 * which are marked in red along the top edge) and, when present, validation loss (a line with
 * markers at the steps whose rows carry it), with axes, tick labels, a title and a legend, using
 * only Java2D. The PNG is written to a temporary name and renamed over the previous plot. If
 * {@code java.awt.headless} is unset this class sets it to {@code true}.
 *
 * <p>Thread-safe: all methods synchronize on the writer.
 */
public final class MetricsWriter {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final Configuration conf;
    private final FileSystem fs;
    private final Path csv;
    private final List<MetricsRow> rows = new ArrayList<>();
    private boolean headerWritten;
    private int plotWidth = 900;
    private int plotHeight = 540;
    private String title = "Training loss";

    /** A writer for {@code csvPath} with a default Hadoop {@link Configuration}. */
    public MetricsWriter(String csvPath) throws IOException {
        this(csvPath, new Configuration());
    }

    /** A writer for {@code csvPath}, a Hadoop path string resolved with {@code conf}. */
    public MetricsWriter(String csvPath, Configuration conf) throws IOException {
        this.conf = Objects.requireNonNull(conf, "conf");
        Path p = new Path(Objects.requireNonNull(csvPath, "csvPath"));
        this.fs = raw(p.getFileSystem(conf));
        this.csv = fs.makeQualified(p);
        load();
    }

    private static FileSystem raw(FileSystem fs) {
        return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
    }

    private void load() throws IOException {
        FSDataInputStream in;
        try {
            in = fs.open(csv);
        } catch (FileNotFoundException e) {
            return;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || header.isEmpty()) {
                return; // an empty file: the header is written with the first row
            }
            if (!header.trim().equals(MetricsRow.HEADER)) {
                throw new IOException("metrics file " + csv + " has header '" + header + "', expected '"
                        + MetricsRow.HEADER + "'");
            }
            headerWritten = true;
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(MetricsRow.parseCsv(line));
                } catch (IllegalArgumentException e) {
                    throw new IOException("metrics file " + csv + " line " + n + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** The CSV path, fully qualified. */
    public Path csvPath() {
        return csv;
    }

    /** Sets the size of the PNG {@link #writeLossPlot(String)} renders. */
    public synchronized MetricsWriter plotSize(int width, int height) {
        if (width < 200 || height < 150 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException("plot size must be within 200x150 .. 10000x10000, got " + width + "x"
                    + height);
        }
        plotWidth = width;
        plotHeight = height;
        return this;
    }

    /** Sets the plot title. */
    public synchronized MetricsWriter title(String t) {
        title = Objects.requireNonNull(t);
        return this;
    }

    /** All rows: those loaded from an existing file, then those appended. */
    public synchronized List<MetricsRow> rows() {
        return Collections.unmodifiableList(new ArrayList<>(rows));
    }

    /** Appends one row to the CSV. */
    public void append(MetricsRow row) throws IOException {
        append(List.of(row));
    }

    /** Appends rows to the CSV, in order. */
    public synchronized void append(List<MetricsRow> newRows) throws IOException {
        if (newRows.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        boolean exists = fs.exists(csv);
        if (!exists || !headerWritten) {
            sb.append(MetricsRow.HEADER).append('\n');
        }
        for (MetricsRow r : newRows) {
            sb.append(Objects.requireNonNull(r, "row").toCsv()).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (!exists) {
            fs.mkdirs(csv.getParent());
            try (FSDataOutputStream out = fs.create(csv, false)) {
                out.write(bytes);
            }
        } else if (!headerWritten) {
            rewrite(newRows); // an existing but empty file
        } else {
            boolean appended = false;
            try (FSDataOutputStream out = fs.append(csv)) {
                out.write(bytes);
                appended = true;
            } catch (UnsupportedOperationException e) {
                // e.g. object stores: fall through to a full rewrite
            }
            if (!appended) {
                rewrite(newRows);
            }
        }
        headerWritten = true;
        rows.addAll(newRows);
    }

    /**
     * Removes the rows of step {@code step} and later, rewriting the CSV if there were any: a run
     * resumed from the checkpoint of step {@code step - 1} redoes those steps and writes them again.
     */
    public synchronized void dropFrom(long step) throws IOException {
        if (rows.removeIf(r -> r.step() >= step)) {
            rewrite(List.of());
        }
    }

    /** Rewrites the whole CSV (all known rows plus {@code extra}) through a temp file and a rename. */
    private void rewrite(List<MetricsRow> extra) throws IOException {
        StringBuilder sb = new StringBuilder(MetricsRow.HEADER).append('\n');
        for (MetricsRow r : rows) {
            sb.append(r.toCsv()).append('\n');
        }
        for (MetricsRow r : extra) {
            sb.append(r.toCsv()).append('\n');
        }
        replace(fs, csv, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to a temp file next to {@code target}, then replaces {@code target} with it. */
    private static void replace(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        boolean done = false;
        try {
            fs.mkdirs(target.getParent());
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("could not delete " + target + " to replace it");
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            done = true;
        } finally {
            if (!done) {
                try {
                    fs.delete(tmp, false);
                } catch (IOException ignored) {
                    // best effort; the original failure is what matters
                }
            }
        }
    }

    /** Renders the loss plot at the configured size to {@code pngPath} (a Hadoop path string). */
    public void writeLossPlot(String pngPath) throws IOException {
        int w;
        int h;
        synchronized (this) {
            w = plotWidth;
            h = plotHeight;
        }
        writeLossPlot(pngPath, w, h);
    }

    /** Renders the loss plot at {@code width} x {@code height} to {@code pngPath}, replacing it. */
    public void writeLossPlot(String pngPath, int width, int height) throws IOException {
        List<MetricsRow> snapshot;
        String t;
        synchronized (this) {
            snapshot = new ArrayList<>(rows);
            t = title;
        }
        BufferedImage img = renderLossPlot(snapshot, width, height, t);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", png)) {
            throw new IOException("no PNG writer available in ImageIO");
        }
        Path p = new Path(pngPath);
        FileSystem pfs = raw(p.getFileSystem(conf));
        replace(pfs, pfs.makeQualified(p), png.toByteArray());
    }

    // ------------------------------------------------------------------ rendering

    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VAL = new Color(255, 127, 14);
    private static final Color BAD = new Color(214, 39, 40);
    private static final Color GRID = new Color(225, 225, 225);

    /**
     * Draws training loss per step and validation loss where present. Non-finite values are left
     * out of the lines and the axis ranges; non-finite training losses are marked in red at the top.
     */
    public static BufferedImage renderLossPlot(List<MetricsRow> rows, int width, int height, String title) {
        if (width < 200 || height < 150 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException("plot size must be within 200x150 .. 10000x10000, got " + width + "x"
                    + height);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            Font base = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, Math.min(width, height) / 45));
            g.setFont(base);
            FontMetrics fm = g.getFontMetrics();

            int left = fm.stringWidth("-0.0000e+00") + fm.getHeight() + 10;
            int right = 20;
            int top = fm.getHeight() * 2 + 10;
            int bottom = fm.getHeight() * 2 + 16;
            int pw = width - left - right;
            int ph = height - top - bottom;

            // title
            g.setColor(Color.BLACK);
            g.setFont(base.deriveFont(Font.BOLD, base.getSize2D() * 1.25f));
            FontMetrics tfm = g.getFontMetrics();
            String t = title == null ? "" : title;
            g.drawString(t, left + (pw - tfm.stringWidth(t)) / 2, 10 + tfm.getAscent());
            g.setFont(base);

            List<double[]> train = new ArrayList<>();
            List<double[]> val = new ArrayList<>();
            List<Long> badSteps = new ArrayList<>();
            double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
            double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
            for (MetricsRow r : rows) {
                if (r.loss() != null) {
                    train.add(new double[] {r.step(), r.loss()});
                    if (!Double.isFinite(r.loss())) {
                        badSteps.add(r.step());
                    }
                }
                if (r.valLoss() != null) {
                    val.add(new double[] {r.step(), r.valLoss()});
                }
            }
            for (List<double[]> series : List.of(train, val)) {
                for (double[] pt : series) {
                    if (Double.isFinite(pt[1])) {
                        xmin = Math.min(xmin, pt[0]);
                        xmax = Math.max(xmax, pt[0]);
                        ymin = Math.min(ymin, pt[1]);
                        ymax = Math.max(ymax, pt[1]);
                    }
                }
            }
            for (long s : badSteps) {
                xmin = Math.min(xmin, s);
                xmax = Math.max(xmax, s);
            }
            boolean haveY = ymin <= ymax;
            if (!(xmin <= xmax)) {
                xmin = 0;
                xmax = 1;
            }
            if (!haveY) {
                ymin = 0;
                ymax = 1;
            }
            if (xmax - xmin == 0) {
                xmin -= 1;
                xmax += 1;
            }
            if (ymax - ymin == 0) {
                double pad = Math.abs(ymin) > 0 ? Math.abs(ymin) * 0.1 : 1;
                ymin -= pad;
                ymax += pad;
            }
            double ystep = niceStep(ymax - ymin);
            ymin = Math.floor(ymin / ystep) * ystep;
            ymax = Math.ceil(ymax / ystep) * ystep;
            double xstep = niceStep(xmax - xmin);
            if (xmin >= 0 && xmax - xmin >= 1 && xstep < 1) {
                xstep = 1; // steps are integers
            }
            Scale sx = new Scale(xmin, xmax, left, left + pw);
            Scale sy = new Scale(ymin, ymax, top + ph, top);

            // grid and tick labels
            g.setStroke(new BasicStroke(1f));
            for (double y = ymin; y <= ymax + ystep * 1e-9; y += ystep) {
                int py = (int) Math.round(sy.map(y));
                g.setColor(GRID);
                g.drawLine(left, py, left + pw, py);
                g.setColor(Color.BLACK);
                g.drawLine(left - 4, py, left, py);
                String label = format(y, ystep);
                g.drawString(label, left - 6 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
            }
            double x0 = Math.ceil(xmin / xstep) * xstep;
            for (double x = x0; x <= xmax + xstep * 1e-9; x += xstep) {
                int px = (int) Math.round(sx.map(x));
                g.setColor(GRID);
                g.drawLine(px, top, px, top + ph);
                g.setColor(Color.BLACK);
                g.drawLine(px, top + ph, px, top + ph + 4);
                String label = format(x, xstep);
                g.drawString(label, px - fm.stringWidth(label) / 2, top + ph + 6 + fm.getAscent());
            }
            // axes
            g.setColor(Color.BLACK);
            g.drawRect(left, top, pw, ph);
            String xl = "step";
            g.drawString(xl, left + (pw - fm.stringWidth(xl)) / 2, height - 8);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            String yl = "loss";
            g.drawString(yl, -(top + (ph + fm.stringWidth(yl)) / 2), fm.getAscent() + 4);
            g.setTransform(saved);

            // series, clipped to the plot area
            java.awt.Shape clip = g.getClip();
            g.clipRect(left, top, pw + 1, ph + 1);
            g.setStroke(new BasicStroke(Math.max(1.5f, width / 600f)));
            g.setColor(TRAIN);
            g.draw(polyline(train, sx, sy));
            if (train.size() == 1 && Double.isFinite(train.get(0)[1])) {
                dot(g, sx.map(train.get(0)[0]), sy.map(train.get(0)[1]), 3);
            }
            g.setColor(VAL);
            g.draw(polyline(val, sx, sy));
            for (double[] pt : val) {
                if (Double.isFinite(pt[1])) {
                    dot(g, sx.map(pt[0]), sy.map(pt[1]), 3.5);
                }
            }
            g.setColor(BAD);
            for (long s : badSteps) {
                double px = sx.map(s);
                g.draw(new Line2D.Double(px, top, px, top + 8));
            }
            g.setClip(clip);

            if (!haveY) {
                g.setColor(Color.DARK_GRAY);
                String msg = rows.isEmpty() ? "no data" : "no finite loss values";
                g.drawString(msg, left + (pw - fm.stringWidth(msg)) / 2, top + ph / 2);
            }

            // legend
            List<String> labels = new ArrayList<>();
            List<Color> colors = new ArrayList<>();
            labels.add("train loss");
            colors.add(TRAIN);
            if (!val.isEmpty()) {
                labels.add("val loss");
                colors.add(VAL);
            }
            if (!badSteps.isEmpty()) {
                labels.add("non-finite train loss (" + badSteps.size() + ")");
                colors.add(BAD);
            }
            int lw = 0;
            for (String l : labels) {
                lw = Math.max(lw, fm.stringWidth(l));
            }
            int lineH = fm.getHeight() + 2;
            int boxW = lw + 40;
            int boxH = lineH * labels.size() + 8;
            int bx = left + pw - boxW - 8;
            int by = top + 8;
            g.setColor(new Color(255, 255, 255, 220));
            g.fillRect(bx, by, boxW, boxH);
            g.setColor(Color.GRAY);
            g.drawRect(bx, by, boxW, boxH);
            for (int i = 0; i < labels.size(); i++) {
                int cy = by + 4 + lineH * i + lineH / 2;
                g.setColor(colors.get(i));
                g.setStroke(new BasicStroke(2f));
                g.drawLine(bx + 6, cy, bx + 28, cy);
                g.setColor(Color.BLACK);
                g.drawString(labels.get(i), bx + 34, cy + fm.getAscent() / 2 - 1);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void dot(Graphics2D g, double x, double y, double r) {
        g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
    }

    /** A polyline through the finite points, broken wherever a value is not finite. */
    private static Path2D polyline(List<double[]> pts, Scale sx, Scale sy) {
        Path2D.Double path = new Path2D.Double();
        boolean pen = false;
        for (double[] pt : pts) {
            if (!Double.isFinite(pt[1])) {
                pen = false;
                continue;
            }
            double x = sx.map(pt[0]);
            double y = sy.map(pt[1]);
            if (pen) {
                path.lineTo(x, y);
            } else {
                path.moveTo(x, y);
                pen = true;
            }
        }
        return path;
    }

    /** A 1, 2 or 5 times a power of ten giving about five intervals over {@code range}. */
    static double niceStep(double range) {
        double raw = range / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
        return nice * mag;
    }

    static String format(double v, double step) {
        if (Math.abs(v) < step * 1e-9) {
            v = 0;
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-4 || step < 1e-4)) {
            return String.format("%.3g", v);
        }
        int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
        return String.format("%." + decimals + "f", v);
    }

    private static final class Scale {
        final double d0;
        final double d1;
        final double p0;
        final double p1;

        Scale(double d0, double d1, double p0, double p1) {
            this.d0 = d0;
            this.d1 = d1;
            this.p0 = p0;
            this.p1 = p1;
        }

        double map(double v) {
            return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
        }
    }
}
