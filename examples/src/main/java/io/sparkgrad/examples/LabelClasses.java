package io.sparkgrad.examples;

import io.sparkgrad.spark.BadDataException;
import io.sparkgrad.spark.DataLoader;
import io.sparkgrad.spark.Sample;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * The class count of softmax data without {@code --classes}: the distinct labels found, which must
 * be exactly {@code 0..K-1}. A stray label ({@code {0, 1, 2, 7}}) is refused rather than silently
 * training a wider model; with {@code --classes} given, classes without rows are allowed. The
 * labels are already non-negative integers (checked per line by the loader's label rule).
 */
final class LabelClasses {
    /** Distinct labels a partition reports at most; more than this is not a class label. */
    static final int MAX_DISTINCT = 10_000;

    private LabelClasses() {
    }

    /** The class count of {@code data}: its largest label + 1, when every label below it occurs. */
    static int infer(DataLoader.Loaded data) {
        // Each partition's distinct labels as a float[]: what Kryo (registration required) writes.
        List<float[]> parts = data.samples().mapPartitions((Iterator<Sample> it) -> {
            TreeSet<Float> s = new TreeSet<>();
            while (it.hasNext() && s.size() <= MAX_DISTINCT) {
                s.add(it.next().label());
            }
            float[] a = new float[s.size()];
            int i = 0;
            for (float v : s) {
                a[i++] = v;
            }
            List<float[]> one = new ArrayList<>();
            one.add(a);
            return one.iterator();
        }).collect();
        TreeSet<Float> labels = new TreeSet<>();
        for (float[] s : parts) {
            for (float v : s) {
                labels.add(v);
            }
        }
        if (labels.isEmpty()) {
            throw new BadDataException("the data set " + data.source() + " is empty");
        }
        int k = (int) (float) labels.last() + 1;
        if (labels.size() != k) {
            throw new BadDataException(data.source() + ": the labels found are " + show(labels)
                    + ", not the classes 0.." + (k - 1) + " each with rows; fix the stray labels, or pass --classes "
                    + k + " if some classes have no rows");
        }
        if (k < 2) {
            throw new BadDataException(data.source() + ": every label is 0; softmax needs at least 2 classes"
                    + " (pass --classes N if the other classes have no rows)");
        }
        return k;
    }

    private static String show(TreeSet<Float> labels) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        int n = 0;
        for (float v : labels) {
            if (n++ == 20) {
                j.add("... (" + labels.size() + " in all)");
                break;
            }
            j.add(Integer.toString((int) v));
        }
        return j.toString();
    }
}
