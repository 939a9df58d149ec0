package io.sparkgrad.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * The feature count of text input when it is not given: a CSV row's fields less the label, or
 * the largest index of a LIBSVM file (one pass over the first file of the path).
 */
final class FeatureCount {
    private FeatureCount() {
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
                return ofCsvLine(firstDataLine(head.iterator(), opt), format, first.getPath().toString());
            }
        } catch (IOException e) {
            throw new BadDataException(path + ": cannot read: " + e.getMessage());
        }
    }

    /** The feature count of text lines held in memory, named {@code source} in errors. */
    static int ofLines(List<String> lines, DataLoader.Format format, DataLoader.Options opt, String source) {
        return ofCsvLine(firstDataLine(lines.iterator(), opt), format, source);
    }

    /** The largest feature index of the LIBSVM lines of {@code r}, read from {@code file}. */
    static int ofLibsvm(BufferedReader r, String file) throws IOException {
        int max = 0;
        String line;
        while ((line = r.readLine()) != null) {
            String[] tok = line.strip().split("\\s+");
            for (int i = 1; i < tok.length; i++) {
                int c = tok[i].indexOf(':');
                if (c > 0) {
                    try {
                        max = Math.max(max, Integer.parseInt(tok[i].substring(0, c)));
                    } catch (NumberFormatException e) {
                        // reported with its line by the parser
                    }
                }
            }
        }
        if (max == 0) {
            throw new BadDataException(file + ": no features found; pass the feature count");
        }
        return max;
    }

    private static String firstDataLine(Iterator<String> lines, DataLoader.Options opt) {
        boolean skip = opt.header();
        while (lines.hasNext()) {
            String l = lines.next();
            if (skip) {
                skip = false;
                continue;
            }
            if (!l.isBlank()) {
                return l;
            }
        }
        return null;
    }

    private static int ofCsvLine(String line, DataLoader.Format format, String source) {
        if (line == null) {
            throw new BadDataException("the data set " + source + " is empty");
        }
        if (format == DataLoader.Format.LIBSVM) {
            throw new BadDataException(source + ": pass the feature count for LIBSVM lines held in memory");
        }
        return line.strip().split(",", -1).length - 1;
    }

    private static BufferedReader open(FileSystem fs, Path p, Configuration conf) throws IOException {
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        java.io.InputStream in = fs.open(p);
        return new BufferedReader(new InputStreamReader(codec == null ? in : codec.createInputStream(in),
                StandardCharsets.UTF_8));
    }
}
