package io.sparkgrad.spark.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A seeded, deterministic byte mutator in the manner of libFuzzer's: each input is a corpus entry
 * with one to four mutations (bit flips, random and boundary bytes, big-endian boundary int32s,
 * deletions, insertions, duplicated ranges, dictionary tokens, splices with another entry,
 * truncation). Coverage is not measured; the corpus and the dictionary steer it instead.
 *
 * <p>Why not Jazzer: {@code com.code-intelligence:jazzer-junit} 0.24.0 resolves from Maven Central,
 * but without {@code JAZZER_FUZZ=1} an {@code @FuzzTest} only replays its corpus, and with it only
 * the first {@code @FuzzTest} of a JVM is fuzzed (the others are skipped) and libFuzzer runs
 * natively inside the Surefire fork. A short fuzz of all three targets on every
 * {@code mvn verify}, on any machine, needs a plain in-process loop; this is it.
 */
public final class Mutator {
    private static final int[] INTERESTING_INTS = {0, 1, -1, 2, 4, 8, 16, 255, 256, 65535, 65536, 1 << 24,
        Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, 1 << 30, 1 << 16 | 1};
    private static final byte[] INTERESTING_BYTES = {0, 1, -1, 0x7f, (byte) 0x80, '\n', '\r', ',', ':', ' ', '\t', '#',
        '-', '.', 'e', '0', '9'};

    private final SplittableRandom random;
    private final List<byte[]> corpus;
    private final List<byte[]> dictionary;

    public Mutator(long seed, List<byte[]> corpus, List<String> dictionary) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("an empty corpus");
        }
        this.random = new SplittableRandom(seed);
        this.corpus = List.copyOf(corpus);
        List<byte[]> d = new ArrayList<>();
        for (String s : dictionary) {
            d.add(s.getBytes(StandardCharsets.UTF_8));
        }
        this.dictionary = d;
    }

    /** The next input: a corpus entry with 1..4 mutations (sometimes none, to keep the seeds in play). */
    public byte[] next() {
        byte[] b = corpus.get(random.nextInt(corpus.size())).clone();
        int n = random.nextInt(16) == 0 ? 0 : 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = mutate(b);
        }
        return b;
    }

    private byte[] mutate(byte[] b) {
        int len = b.length;
        switch (random.nextInt(10)) {
            case 0: // flip a bit
                if (len > 0) {
                    b[random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            case 1: // a random byte
                if (len > 0) {
                    b[random.nextInt(len)] = (byte) random.nextInt(256);
                }
                return b;
            case 2: // a boundary byte
                if (len > 0) {
                    b[random.nextInt(len)] = INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
                }
                return b;
            case 3: { // a boundary int32, big-endian, as the checkpoint format writes it
                if (len < 4) {
                    return b;
                }
                int at = random.nextInt(len - 3);
                int v = INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                for (int k = 0; k < 4; k++) {
                    b[at + k] = (byte) (v >>> (24 - 8 * k));
                }
                return b;
            }
            case 4: { // delete a range
                if (len == 0) {
                    return b;
                }
                int at = random.nextInt(len);
                int n = 1 + random.nextInt(Math.min(16, len - at));
                return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + n, len));
            }
            case 5: { // insert random bytes
                byte[] ins = new byte[1 + random.nextInt(8)];
                for (int k = 0; k < ins.length; k++) {
                    ins[k] = (byte) random.nextInt(256);
                }
                return insert(b, ins);
            }
            case 6: // a dictionary token
                return dictionary.isEmpty() ? b : insert(b, dictionary.get(random.nextInt(dictionary.size())));
            case 7: { // duplicate a range
                if (len == 0) {
                    return b;
                }
                int at = random.nextInt(len);
                int n = 1 + random.nextInt(Math.min(64, len - at));
                return insert(b, Arrays.copyOfRange(b, at, at + n));
            }
            case 8: { // splice: a prefix of this entry, a suffix of another
                byte[] o = corpus.get(random.nextInt(corpus.size()));
                int a = len == 0 ? 0 : random.nextInt(len + 1);
                int c = o.length == 0 ? 0 : random.nextInt(o.length + 1);
                return concat(Arrays.copyOfRange(b, 0, a), Arrays.copyOfRange(o, c, o.length));
            }
            default: // truncate
                return len == 0 ? b : Arrays.copyOf(b, random.nextInt(len));
        }
    }

    private byte[] insert(byte[] b, byte[] ins) {
        int at = random.nextInt(b.length + 1);
        return concat(concat(Arrays.copyOfRange(b, 0, at), ins), Arrays.copyOfRange(b, at, b.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The files of a test-resources directory (the seed corpus kept in the repository). */
    public static List<byte[]> corpus(String resourceDir) {
        URL url = Mutator.class.getClassLoader().getResource(resourceDir);
        if (url == null) {
            throw new IllegalStateException("no seed corpus at " + resourceDir);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A failing input, printable: its text when it is short UTF-8, and always its hex. */
    public static String show(byte[] input) {
        return "input (" + input.length + " bytes) " + new String(input, StandardCharsets.UTF_8).replace("\n", "\\n")
                + " | hex " + HexFormat.of().formatHex(input, 0, Math.min(input.length, 512));
    }
}
