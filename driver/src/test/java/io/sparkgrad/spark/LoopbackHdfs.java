package io.sparkgrad.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS in the test JVM (MiniDFSCluster: one NameNode, one DataNode), every service bound to
 * 127.0.0.1 on a free port, its storage under a test's temporary directory. The one setup the
 * HDFS tests share; {@link #close} shuts it down.
 */
public final class LoopbackHdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;
    private final String root;

    private LoopbackHdfs(MiniDFSCluster cluster) {
        this.cluster = cluster;
        this.root = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    /** Starts a cluster storing its blocks and metadata under {@code base}; waits until it is up. */
    public static LoopbackHdfs start(Path base) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        for (String key : new String[] {"dfs.datanode.address", "dfs.datanode.http.address", "dfs.datanode.ipc.address",
                                        "dfs.namenode.http-address", "dfs.namenode.secondary.http-address"}) {
            conf.set(key, "127.0.0.1:0");
        }
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.servicerpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return new LoopbackHdfs(cluster);
    }

    /** {@code hdfs://127.0.0.1:<port>}, with no trailing slash. */
    public String root() {
        return root;
    }

    /** The client configuration for this cluster. */
    public Configuration conf() {
        return cluster.getConfiguration(0);
    }

    /** The cluster's file system, as a client sees it. */
    public FileSystem fileSystem() throws IOException {
        return FileSystem.get(URI.create(root), conf());
    }

    @Override
    public void close() {
        cluster.shutdown();
    }
}
