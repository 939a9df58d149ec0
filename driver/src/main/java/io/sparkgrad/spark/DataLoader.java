package io.sparkgrad.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Reads training rows from any Hadoop path (file://, hdfs://, ...) in CSV, LIBSVM or Parquet.
 * Text formats are parsed here, not by Spark's CSV reader, so that a bad line is reported with its
 * file, line and field ({@code digits.csv:17: field 5 'abc' is not a number}) instead of turning
 * into a null. Compressed files (.gz) are read through Hadoop's codecs.
 */
public final class DataLoader {
    private DataLoader() {
    }

    /** The supported input formats. */
    public enum Format {
        CSV, LIBSVM, PARQUET;

        public static Format parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown format '" + s + "': expected csv, libsvm or parquet");
            }
        }
    }

    /**
     * How to read the rows. {@code labels}, when not null, is checked on every line as it is
     * parsed, so a bad label names its file and line.
     */
    public record Options(boolean header, int labelColumn, int numFeatures, String featuresCol, String labelCol,
                          String weightCol, LabelRule labels) implements Serializable {
        /** Without a label rule: labels are checked later, by {@link TrainingData#validate}. */
        public Options(boolean header, int labelColumn, int numFeatures, String featuresCol, String labelCol,
                       String weightCol) {
            this(header, labelColumn, numFeatures, featuresCol, labelCol, weightCol, null);
        }

        /**
         * {@code labelColumn} for rows without a label (for prediction): every CSV field is a
         * feature (give {@code numFeatures}), and a Parquet file needs no label column; the
         * samples' labels are then 0 and no label rule applies. LIBSVM lines always start with a label.
         */
        public static final int NO_LABEL = Integer.MIN_VALUE;

        /** These options for rows without a label ({@link #NO_LABEL}), with {@code numFeatures} features. */
        public Options withoutLabel(int numFeatures) {
            return new Options(header, NO_LABEL, numFeatures, featuresCol, labelCol, weightCol, null);
        }

        /** CSV with the label in the last column, no header; Parquet columns features/label. */
        public static Options defaults() {
            return new Options(false, -1, -1, "features", "label", null);
        }

        public Options withHeader(boolean h) {
            return new Options(h, labelColumn, numFeatures, featuresCol, labelCol, weightCol, labels);
        }

        public Options withNumFeatures(int n) {
            return new Options(header, labelColumn, n, featuresCol, labelCol, weightCol, labels);
        }

        public Options withWeightCol(String w) {
            return new Options(header, labelColumn, numFeatures, featuresCol, labelCol, w, labels);
        }

        public Options withLabels(LabelRule rule) {
            return new Options(header, labelColumn, numFeatures, featuresCol, labelCol, weightCol, rule);
        }
    }

    /** Parsed rows, not yet packed into blocks: split them, then {@link #pack}. */
    public record Loaded(JavaRDD<Sample> samples, int dim, String source, boolean weighted) {
        public TrainingData pack() {
            return TrainingData.fromSamples(samples, dim, TrainingData.BLOCK_ROWS, source, weighted);
        }

        /** A deterministic split (fixed seed and input order) into the given fractions. */
        public Loaded[] split(double[] weights, long seed) {
            JavaRDD<Sample>[] parts = samples.randomSplit(weights, seed);
            Loaded[] out = new Loaded[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = new Loaded(parts[i], dim, source + " (split " + i + ")", weighted);
            }
            return out;
        }

        public Loaded repartition(int partitions) {
            return new Loaded(samples.repartition(partitions), dim, source, weighted);
        }
    }

    /** Reads {@code path} in {@code format}; {@code minPartitions} is a hint for text input. */
    public static Loaded load(SparkSession spark, String path, Format format, Options opt, int minPartitions) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        switch (format) {
            case PARQUET: {
                Dataset<Row> df = spark.read().parquet(path);
                if (opt.labelColumn() == Options.NO_LABEL) {
                    df = df.withColumn(opt.labelCol(), org.apache.spark.sql.functions.lit(0.0));
                }
                if (opt.labels() != null && opt.labelColumn() != Options.NO_LABEL) {
                    checkParquetLabels(df, opt.labelCol(), opt.labels());
                }
                JavaRDD<Sample> samples = TrainingData.samples(df, opt.featuresCol(), opt.labelCol(), opt.weightCol(), path);
                List<Sample> first = samples.take(1);
                if (first.isEmpty()) {
                    throw new BadDataException("the data set " + path + " is empty");
                }
                int dim = first.get(0).features().length;
                if (dim > TrainingData.MAX_FEATURES) {
                    throw new BadDataException(path + ": the features column '" + opt.featuresCol() + "' holds " + dim
                            + " values, more than the limit of " + TrainingData.MAX_FEATURES + " features (dense rows)");
                }
                return new Loaded(samples, dim, path, opt.weightCol() != null);
            }
            case CSV:
            case LIBSVM: {
                Configuration conf = sc.hadoopConfiguration();
                int dim = opt.numFeatures() > 0 ? FeatureCount.checkGiven(opt.numFeatures())
                        : FeatureCount.infer(path, format, opt, conf);
                @SuppressWarnings("unchecked")
                JavaNewHadoopRDD<LongWritable, Text> lines = (JavaNewHadoopRDD<LongWritable, Text>)
                        sc.newAPIHadoopFile(path, TextInputFormat.class, LongWritable.class, Text.class, conf);
                JavaRDD<Sample> samples = lines.mapPartitionsWithInputSplit((split, it) -> {
                    FileSplit fs = (FileSplit) split;
                    return parseSplit(fs.getPath().toString(), fs.getStart(), it, format, opt, dim);
                }, true);
                if (minPartitions > samples.getNumPartitions()) {
                    samples = samples.repartition(minPartitions);
                }
                return new Loaded(samples, dim, path, false);
            }
            default:
                throw new IllegalArgumentException("unknown format " + format);
        }
    }

    /**
     * Checks Parquet labels against {@code rule} in one scan of the label column alone, and names
     * the first bad one by its file and 1-based row (Spark's {@code _metadata.file_path} and
     * {@code row_index}), as CSV errors name a file and line. A missing or non-numeric label column
     * is left to {@link TrainingData#samples}, which names the column.
     */
    static void checkParquetLabels(Dataset<Row> df, String labelCol, LabelRule rule) {
        if (!java.util.Arrays.asList(df.columns()).contains(labelCol)) {
            return;
        }
        List<String> bad = df.select(org.apache.spark.sql.functions.col(labelCol),
                        org.apache.spark.sql.functions.col("_metadata.file_path"),
                        org.apache.spark.sql.functions.col("_metadata.row_index"))
                .javaRDD().flatMap(r -> {
                    Object v = r.get(0);
                    String why = v instanceof Number ? rule.check(((Number) v).floatValue(), v.toString()) : null;
                    return why == null ? java.util.Collections.emptyIterator()
                            : List.of(r.getString(1) + ": row " + (r.getLong(2) + 1) + ": " + why).iterator();
                }).take(1);
        if (!bad.isEmpty()) {
            throw new BadDataException(bad.get(0));
        }
    }

    /** Rows from lines held in memory (an embedded data set), named {@code source} in errors. */
    public static Loaded fromLines(JavaSparkContext sc, List<String> lines, String source, Format format, Options opt,
                                   int partitions) {
        int dim = opt.numFeatures() > 0 ? FeatureCount.checkGiven(opt.numFeatures())
                : FeatureCount.ofLines(lines, format, opt, source);
        List<Tuple2<Long, String>> numbered = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            numbered.add(new Tuple2<>((long) i + 1, lines.get(i)));
        }
        JavaRDD<Sample> samples = sc.parallelize(numbered, partitions).mapPartitions(it -> {
            List<Sample> out = new ArrayList<>();
            while (it.hasNext()) {
                Tuple2<Long, String> t = it.next();
                if (t._1() == 1 && opt.header()) {
                    continue;
                }
                Sample s = parseLine(t._2(), source, t._1(), format, opt, dim);
                if (s != null) {
                    out.add(s);
                }
            }
            return out.iterator();
        });
        return new Loaded(samples, dim, source, false);
    }

    private static Iterator<Sample> parseSplit(String file, long start, Iterator<Tuple2<LongWritable, Text>> it,
                                               Format format, Options opt, int dim) throws IOException {
        List<Sample> out = new ArrayList<>();
        long lineNo = 0;
        boolean counting = start == 0;
        while (it.hasNext()) {
            Tuple2<LongWritable, Text> t = it.next();
            lineNo++;
            if (counting && lineNo == 1 && opt.header()) {
                continue;
            }
            String line = t._2().toString();
            long reportLine = counting ? lineNo : -1;
            try {
                Sample s = parseLine(line, file, reportLine, format, opt, dim);
                if (s != null) {
                    out.add(s);
                }
            } catch (BadDataException e) {
                if (!counting) { // a later split of a plain file: find the line number now, on the error path only
                    long n = lineNumberAt(file, t._1().get());
                    throw new BadDataException(e.getMessage().replace(file + ":?", file + ":" + n));
                }
                throw e;
            }
        }
        return out.iterator();
    }

    /** Parses one line; null for a blank line. Errors name file, line and field. */
    static Sample parseLine(String line, String file, long lineNo, Format format, Options opt, int dim) {
        String where = file + ":" + (lineNo < 0 ? "?" : Long.toString(lineNo));
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return null;
        }
        if (format == Format.LIBSVM) {
            String[] tok = s.split("\\s+");
            float label = parseNumber(tok[0], where, "label");
            checkLabel(label, tok[0], where, opt);
            float[] x = new float[dim];
            int prev = 0;
            for (int i = 1; i < tok.length; i++) {
                int colon = tok[i].indexOf(':');
                if (colon <= 0) {
                    throw new BadDataException(where + ": field " + (i + 1) + " '" + tok[i] + "' is not index:value");
                }
                int idx;
                try {
                    idx = Integer.parseInt(tok[i].substring(0, colon));
                } catch (NumberFormatException e) {
                    throw new BadDataException(where + ": field " + (i + 1) + " '" + tok[i] + "' has a bad index");
                }
                if (idx <= prev || idx > dim) {
                    throw new BadDataException(where + ": field " + (i + 1) + " index " + idx
                            + (idx > dim ? " exceeds the " + dim + " features" : " is not ascending (1-based)"));
                }
                x[idx - 1] = parseNumber(tok[i].substring(colon + 1), where, "field " + (i + 1));
                prev = idx;
            }
            return new Sample(x, label);
        }
        String[] f = s.split(",", -1);
        if (opt.labelColumn() == Options.NO_LABEL) {
            if (f.length != dim) {
                throw new BadDataException(where + ": " + f.length + " fields, expected " + dim + " features (no label)");
            }
            float[] x = new float[dim];
            for (int i = 0; i < dim; i++) {
                x[i] = parseNumber(f[i], where, "field " + (i + 1));
            }
            return new Sample(x, 0f);
        }
        if (f.length != dim + 1) {
            throw new BadDataException(where + ": " + f.length + " fields, expected " + (dim + 1) + " (" + dim
                    + " features and a label)" + (lineNo == 1 ? "; if this is a header line, read with a header" : ""));
        }
        int labelAt = opt.labelColumn() < 0 ? f.length + opt.labelColumn() : opt.labelColumn();
        if (labelAt < 0 || labelAt >= f.length) {
            throw new BadDataException(where + ": label column " + opt.labelColumn() + " is out of range for "
                    + f.length + " fields");
        }
        float[] x = new float[dim];
        float label = 0;
        for (int i = 0, j = 0; i < f.length; i++) {
            float v = parseNumber(f[i], where, "field " + (i + 1));
            if (i == labelAt) {
                label = v;
            } else {
                x[j++] = v;
            }
        }
        checkLabel(label, f[labelAt], where, opt);
        return new Sample(x, label);
    }

    private static void checkLabel(float label, String text, String where, Options opt) {
        String why = opt.labels() == null ? null : opt.labels().check(label, text.strip());
        if (why != null) {
            throw new BadDataException(where + ": " + why);
        }
    }

    private static float parseNumber(String text, String where, String field) {
        String t = text.strip();
        float v;
        try {
            v = Float.parseFloat(t);
        } catch (NumberFormatException e) {
            throw new BadDataException(where + ": " + field + " '" + text + "' is not a number");
        }
        if (!Float.isFinite(v)) {
            throw new BadDataException(where + ": " + field + " '" + text + "' is not finite");
        }
        return v;
    }

    /** The 1-based line holding byte {@code offset} of an uncompressed file. */
    private static long lineNumberAt(String file, long offset) throws IOException {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(new Configuration());
        long line = 1;
        try (java.io.InputStream in = new java.io.BufferedInputStream(fs.open(p))) {
            for (long i = 0; i < offset; i++) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                if (c == '\n') {
                    line++;
                }
            }
        }
        return line;
    }
}
