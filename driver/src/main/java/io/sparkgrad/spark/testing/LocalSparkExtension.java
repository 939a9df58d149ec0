package io.sparkgrad.spark.testing;

import io.sparkgrad.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** The extension behind {@link LocalSpark}: resolves {@code SparkSession} parameters. */
public final class LocalSparkExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalSparkExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        return p.getParameter().getType() == SparkSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        LocalSpark ann = ctx.getTestClass().map(c -> c.getAnnotation(LocalSpark.class)).orElse(null);
        String master = ann == null ? "local[2]" : ann.master();
        Map<String, String> conf = new LinkedHashMap<>();
        for (String kv : ann == null ? new String[0] : ann.conf()) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("@LocalSpark conf entry '" + kv + "' is not key=value");
            }
            conf.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        String key = master + " " + conf;
        ExtensionContext.Store root = ctx.getRoot().getStore(NS);
        Holder h = root.get("session", Holder.class);
        if (h != null && h.key.equals(key)) {
            return h.session;
        }
        if (h != null) {
            h.close();
            root.remove("session");
        }
        // a session started outside @LocalSpark (e.g. by the code under test) with other settings:
        // stop it too, as getOrCreate would return it unchanged
        SparkSession running = SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        if (running != null && !running.sparkContext().isStopped() && !has(running, conf)) {
            running.stop();
        }
        Holder fresh = new Holder(key, SparkSessions.local(master, "sparkgrad-test", conf));
        if (!has(fresh.session, conf)) {
            throw new IllegalStateException("@LocalSpark: the running SparkContext does not have the settings " + conf);
        }
        root.put("session", fresh);
        return fresh.session;
    }

    private static boolean has(SparkSession session, Map<String, String> conf) {
        org.apache.spark.SparkConf got = session.sparkContext().getConf();
        return conf.entrySet().stream().allMatch(e -> e.getValue().equals(got.get(e.getKey(), null)));
    }

    /** Stops the session when the test run ends. */
    private static final class Holder implements AutoCloseable { // closed by JUnit at the end of the run
        final String key;
        final SparkSession session;

        Holder(String key, SparkSession session) {
            this.key = key;
            this.session = session;
        }

        @Override
        public void close() {
            session.stop();
        }
    }
}
