package io.sparkgrad.spark.metrics;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The raw local file system under the scheme {@code watchfs}, acting as a reader that looks after
 * every delete and rename: if a watched file existed before the call and is gone after it, the call
 * fails. A writer that replaces a file by deleting it first fails on that delete; one that renames
 * over it does not. Configured through {@link #watching}, never cached by Hadoop.
 */
public final class WatchingLocalFileSystem extends RawLocalFileSystem {
    private static final URI ROOT = URI.create("watchfs:///");
    private static final String KEY = "sparkgrad.test.watchfs.files";

    private final List<Path> watched = new ArrayList<>();

    /** A configuration mapping {@code watchfs://} here, watching the given local files. */
    static Configuration watching(java.nio.file.Path... files) {
        Configuration conf = new Configuration();
        conf.set("fs.watchfs.impl", WatchingLocalFileSystem.class.getName());
        conf.setBoolean("fs.watchfs.impl.disable.cache", true);
        List<String> names = new ArrayList<>();
        for (java.nio.file.Path f : files) {
            names.add(f.toAbsolutePath().toString());
        }
        conf.setStrings(KEY, names.toArray(new String[0]));
        return conf;
    }

    /** The URI of a local file on this file system. */
    static String uri(java.nio.file.Path file) {
        return "watchfs://" + file.toAbsolutePath();
    }

    @Override
    public void initialize(URI uri, Configuration conf) throws IOException {
        super.initialize(uri, conf);
        for (String f : conf.getTrimmedStrings(KEY)) {
            watched.add(new Path(ROOT.getScheme(), null, f));
        }
    }

    @Override
    public URI getUri() {
        return ROOT;
    }

    @Override
    public String getScheme() {
        return ROOT.getScheme();
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        List<Path> before = present();
        boolean r = super.delete(p, recursive);
        check(before, "delete(" + p + ")");
        return r;
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        List<Path> before = present();
        boolean r = super.rename(src, dst);
        check(before, "rename(" + src + ", " + dst + ")");
        return r;
    }

    private List<Path> present() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path w : watched) {
            if (exists(w)) {
                out.add(w);
            }
        }
        return out;
    }

    private void check(List<Path> before, String call) throws IOException {
        for (Path w : before) {
            if (!exists(w)) {
                throw new IOException("a reader would find no " + w + " after " + call);
            }
        }
    }
}
