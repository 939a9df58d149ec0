package io.sparkgrad.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * The feature count of text input when it is not given: a CSV row's fields less the label, or
 * the largest index of a LIBSVM file (one pass over the first file of the path). Rows are dense,
 * so a count beyond {@link TrainingData#MAX_FEATURES} is refused here, naming the file and line,
 * before any row of that width is allocated.
 */
final class FeatureCount {
    private FeatureCount() {
    }

    /** Refuses a given feature count beyond {@link TrainingData#MAX_FEATURES}. */
    static int checkGiven(int numFeatures) {
        if (numFeatures > TrainingData.MAX_FEATURES) {
            throw new IllegalArgumentException("numFeatures " + numFeatures + " exceeds the limit of "
                    + TrainingData.MAX_FEATURES + " features (dense rows)");
        }
        return numFeatures;
    }

    /** {@code where}: {@code n} features exceed the limit, when they do. */
    private static int checkCount(int n, String where) {
        if (n > TrainingData.MAX_FEATURES) {
            throw new BadDataException(where + ": " + n + " features exceed the limit of " + TrainingData.MAX_FEATURES
                    + " features (dense rows)");
        }
        return n;
    }

    /** The feature count of {@code path}'s first file; errors name the file. */
    static int infer(String path, DataLoader.Format format, DataLoader.Options opt, Configuration conf) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] files = fs.globStatus(p);
            if (files == null || files.length == 0) {
                throw new BadDataException(path + ": no such file");
            }
            FileStatus first = files[0];
            if (first.isDirectory()) {
                FileStatus[] inside = fs.listStatus(first.getPath(),
                        q -> !q.getName().startsWith(".") && !q.getName().startsWith("_"));
                if (inside.length == 0) {
                    throw new BadDataException(path + ": the directory is empty");
                }
                first = inside[0];
            }
            try (BufferedReader r = open(fs, first.getPath(), conf)) {
                if (format == DataLoader.Format.LIBSVM) {
                    return ofLibsvm(r, first.getPath().toString());
                }
                List<String> head = new ArrayList<>();
                String line;
                while (head.size() < 2 && (line = r.readLine()) != null) {
                    head.add(line);
                }
                return ofCsvLine(head, opt, format, first.getPath().toString());
            }
        } catch (IOException e) {
            throw new BadDataException(path + ": cannot read: " + e.getMessage());
        }
    }

    /** The feature count of text lines held in memory, named {@code source} in errors. */
    static int ofLines(List<String> lines, DataLoader.Format format, DataLoader.Options opt, String source) {
        return ofCsvLine(lines, opt, format, source);
    }

    /**
     * The largest feature index of the LIBSVM lines of {@code r}, read from {@code file}; an index
     * beyond {@link TrainingData#MAX_FEATURES} is a {@link BadDataException} naming its line.
     */
    static int ofLibsvm(BufferedReader r, String file) throws IOException {
        int max = 0;
        long lineNo = 0;
        String line;
        while ((line = r.readLine()) != null) {
            lineNo++;
            String[] tok = line.strip().split("\\s+");
            for (int i = 1; i < tok.length; i++) {
                int c = tok[i].indexOf(':');
                if (c > 0) {
                    int idx;
                    try {
                        idx = Integer.parseInt(tok[i].substring(0, c));
                    } catch (NumberFormatException e) {
                        continue; // reported with its line by the parser
                    }
                    if (idx > TrainingData.MAX_FEATURES) {
                        throw new BadDataException(file + ":" + lineNo + ": feature index " + idx + " exceeds the limit of "
                                + TrainingData.MAX_FEATURES + " features (dense rows)");
                    }
                    max = Math.max(max, idx);
                }
            }
        }
        if (max == 0) {
            throw new BadDataException(file + ": no features found; pass the feature count");
        }
        return max;
    }

    /** The fields less the label of the first data line of {@code lines}, named {@code source} and its line. */
    private static int ofCsvLine(List<String> lines, DataLoader.Options opt, DataLoader.Format format, String source) {
        if (format == DataLoader.Format.LIBSVM) {
            throw new BadDataException(source + ": pass the feature count for LIBSVM lines held in memory");
        }
        for (int i = opt.header() ? 1 : 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                return checkCount(lines.get(i).strip().split(",", -1).length - 1, source + ":" + (i + 1));
            }
        }
        throw new BadDataException("the data set " + source + " is empty");
    }

    private static BufferedReader open(FileSystem fs, Path p, Configuration conf) throws IOException {
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        java.io.InputStream in = fs.open(p);
        return new BufferedReader(new InputStreamReader(codec == null ? in : codec.createInputStream(in),
                StandardCharsets.UTF_8));
    }
}
