package io.sparkgrad.spark.metrics;

import io.sparkgrad.spark.io.HadoopFiles;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Appends {@link MetricsRow}s to a metrics CSV and draws the loss curve as a PNG, both through the
 * Hadoop {@link FileSystem} API (a local path, {@code file://} or {@code hdfs://}).
 *
 * <p>The CSV starts with the header {@value MetricsRow#HEADER}; absent measurements are empty
 * cells. When the file already exists (a resumed run) its header is checked and its rows are
 * loaded, so the plot covers the whole history; new rows are appended after them. Rows are
 * appended with {@link FileSystem#append} where the file system supports it, otherwise the file is
 * rewritten with {@link HadoopFiles#replace}: a temporary file renamed over the old one, so a
 * reader finds the old rows or the new ones, never no file. On the local file system the raw file
 * system is used (no {@code .crc} side files, and append works).
 *
 * <p>{@link #writeLossPlot} renders the {@link LossChart} of all rows (training loss per step,
 * validation loss where present, non-finite losses marked) and replaces the previous PNG the same
 * way.
 *
 * <p>Thread-safe: all methods synchronize on the writer.
 */
public final class MetricsWriter {
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
        this.fs = HadoopFiles.fileSystemOf(p, conf);
        this.csv = fs.makeQualified(p);
        load();
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
            boolean v1 = header.trim().equals(MetricsRow.HEADER_V1);
            if (!header.trim().equals(MetricsRow.HEADER) && !v1) {
                throw new IOException("metrics file " + csv + " has header '" + header + "', expected '"
                        + MetricsRow.HEADER + "'");
            }
            headerWritten = !v1; // an earlier version's file is rewritten with the new header on the next append
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
        LossChart.checkSize(width, height);
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
        HadoopFiles.replace(fs, csv, sb.toString().getBytes(StandardCharsets.UTF_8));
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
        byte[] png = LossChart.png(snapshot, width, height, t);
        Path p = new Path(pngPath);
        FileSystem pfs = HadoopFiles.fileSystemOf(p, conf);
        HadoopFiles.replace(pfs, pfs.makeQualified(p), png);
    }
}
