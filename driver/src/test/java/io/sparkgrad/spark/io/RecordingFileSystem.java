package io.sparkgrad.spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A file system that records the calls that matter for durability, in order, as
 * {@code "create <name>"}, {@code "hsync <name>"} (only when the wrapped stream really syncs:
 * it has the {@code hsync} capability and its {@code hsync} returned), {@code "close <name>"},
 * {@code "rename <from> <to>"} and {@code "delete <name>"}, names without their directory.
 *
 * <p>With {@link #crashOnRename()}, the first rename throws {@link SimulatedCrash} and from then on
 * every call throws it too: the process is dead, so nothing it would have cleaned up is cleaned up.
 */
public class RecordingFileSystem extends FilterFileSystem {
    /** The process died here. */
    public static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String where) {
            super("simulated crash at " + where);
        }
    }

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean crashOnRename;
    private volatile boolean dead;

    public RecordingFileSystem(FileSystem fs) {
        super(fs);
    }

    public RecordingFileSystem crashOnRename() {
        crashOnRename = true;
        return this;
    }

    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private void alive(String what) {
        if (dead) {
            throw new SimulatedCrash(what + " after the crash");
        }
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
            short replication, long blockSize, Progressable progress) throws IOException {
        alive("create");
        FSDataOutputStream real = super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        String name = f.getName();
        events.add("create " + name);
        return new FSDataOutputStream(new Recorded(real, name), null);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        alive("rename");
        if (crashOnRename) {
            dead = true;
            throw new SimulatedCrash("rename " + src.getName() + " " + dst.getName());
        }
        boolean ok = super.rename(src, dst);
        if (ok) {
            events.add("rename " + src.getName() + " " + dst.getName());
        }
        return ok;
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        alive("delete");
        boolean ok = super.delete(f, recursive);
        if (ok) {
            events.add("delete " + f.getName());
        }
        return ok;
    }

    @Override
    public boolean exists(Path f) throws IOException {
        alive("exists");
        return super.exists(f);
    }

    @Override
    public org.apache.hadoop.fs.FileStatus getFileStatus(Path f) throws IOException {
        alive("getFileStatus");
        return super.getFileStatus(f);
    }

    private final class Recorded extends OutputStream implements Syncable {
        private final FSDataOutputStream real;
        private final String name;

        Recorded(FSDataOutputStream real, String name) {
            this.real = real;
            this.name = name;
        }

        @Override
        public void write(int b) throws IOException {
            real.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            real.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            real.flush();
        }

        @Override
        public void hflush() throws IOException {
            real.hflush();
        }

        @Override
        public void hsync() throws IOException {
            boolean capable = real.hasCapability(StreamCapabilities.HSYNC);
            real.hsync();
            if (capable) {
                events.add("hsync " + name);
            }
        }

        @Override
        public void close() throws IOException {
            real.close();
            events.add("close " + name);
        }
    }
}
